import { OptionsError, cardToFile, generateIdentity, writeSecretKeyFile, type Card, type Identity } from '@herald/core';
import { defineCommand } from '../command.js';
import { durationFlag, formatDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { ensureWritable, fileError, writeTextFile } from '../files.js';
import { writeStderr, writeStdout } from '../io.js';
import { cardPathFor } from '../keys.js';
import { PASSPHRASE_ENV, STRENGTH_ENV, kdfStrength, readPassphrase } from '../passphrase.js';

export const EPOCH_FLAG_HELP = 'a card whose routing tag changes every DURATION (e.g. 1d, 12h): version 2, unlinkable mailboxes';

/** `--epoch DURATION` as whole seconds (core's duration syntax), or undefined when absent. */
export function epochFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = durationFlag('--epoch', value, 0);
  if (seconds > 0xffff_ffff) throw new UsageError(`--epoch must be at most ${formatDuration(0xffff_ffff)}; got '${value}'`);
  return seconds;
}

/** What its owner is told of a version-2 card ("card version 2, routing tag changes every 1d"); empty for version 1. */
export function epochNote(card: Card): string {
  return card.epochSeconds === undefined ? '' : `card version 2, routing tag changes every ${formatDuration(card.epochSeconds)}`;
}

export const keygen = defineCommand({
  name: 'keygen',
  summary: 'create a new identity: a secret key file and its public contact card',
  synopsis: '--out FILE.key [--label NAME] [--epoch DURATION] [--passphrase-file FILE] [--force]',
  description: `
Writes the secret key to FILE.key (mode 0600) and the public contact card
beside it (FILE.card), then prints the fingerprint. Share the card; keep the key.

With --passphrase-file or ${PASSPHRASE_ENV} set, the key file is encrypted
under that passphrase (Argon2id; ${STRENGTH_ENV}=interactive|moderate|sensitive,
default moderate).

With --epoch (e.g. 1d), the card is version 2: envelopes for you carry a
routing tag that changes every epoch, so a relay, broker or mail server
cannot link your mailboxes of different epochs (docs/threat-model.md,
unlinkable mailboxes). Contacts need a Herald that reads version-2 cards.`,
  flags: {
    out: { type: 'string', value: 'FILE', required: true, description: 'secret key file to create; the card goes beside it' },
    label: { type: 'string', value: 'NAME', description: 'name shown to your contacts (at most 64 UTF-8 bytes)' },
    epoch: { type: 'string', value: 'DURATION', description: EPOCH_FLAG_HELP },
    'passphrase-file': { type: 'string', value: 'FILE', description: `read the passphrase from FILE (else ${PASSPHRASE_ENV})` },
    force: { type: 'boolean', description: 'overwrite existing key and card files' },
  },
  async run({ flags }) {
    const identity = await createKeyFiles(flags.out ?? '', flags.label ?? '', flags['passphrase-file'], flags.force === true, epochFlag(flags.epoch));
    await writeStdout(`${identity.card.fingerprint}\n`);
  },
});

/** Writes a new key (0600, passphrase-protected when one is given) and its card beside it; says so on stderr. */
export async function createKeyFiles(keyPath: string, label: string, passphraseFile: string | undefined, overwrite: boolean, epochSeconds?: number): Promise<Identity> {
  const cardPath = cardPathFor(keyPath);
  const strength = kdfStrength();
  const passphrase = await readPassphrase(passphraseFile);
  await ensureWritable(keyPath, 'key file', overwrite);
  await ensureWritable(cardPath, 'card file', overwrite);
  const identity = generate(label, epochSeconds);
  try {
    await writeSecretKeyFile(keyPath, identity, passphrase === undefined ? { overwrite } : { overwrite, passphrase, strength });
  } catch (error) {
    throw fileError(error, keyPath, 'key file');
  }
  await writeTextFile(cardPath, cardToFile(identity.card), 'card file', overwrite);
  const protection = passphrase === undefined ? 'not passphrase-protected' : `passphrase-protected, Argon2id ${strength}`;
  await writeStderr(`wrote ${keyPath} (secret, ${protection}) and ${cardPath} (public${epochNote(identity.card) && `; ${epochNote(identity.card)}`})\n`);
  return identity;
}

/** A bad label is a bad flag value, so it is a usage error rather than core's INVALID_OPTIONS. */
function generate(label: string, epochSeconds: number | undefined): Identity {
  try {
    return generateIdentity({ label, ...(epochSeconds === undefined ? {} : { epochSeconds }) });
  } catch (error) {
    if (error instanceof OptionsError) throw new UsageError(`--label ${error.message.replace(/^label: (label )?/, '')}`);
    throw error;
  }
}
