import { cardToFile, generateIdentity, writeSecretKeyFile } from '@herald/core';
import { createRotation, rotationToText } from '@herald/trust';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';
import { ensureWritable, fileError, writeTextFile } from '../files.js';
import { writeStderr, writeStdout } from '../io.js';
import { cardPathFor, loadIdentity } from '../keys.js';
import { PASSPHRASE_ENV, kdfStrength, readPassphrase } from '../passphrase.js';
import { retiredKeys } from '../retired.js';
import { durationFlag } from '../duration.js';

export const rotate = defineCommand({
  name: 'rotate',
  summary: 'replace your key: a new key, a rotation statement signed by both, the old key kept to decrypt mail in flight',
  synopsis: '--key OLD.key --out NEW.key --data-dir DIR [--grace DURATION] [--label NAME]',
  description: `
Creates NEW.key and NEW.card and a rotation statement (NEW.rotation) signed by
the old key and the new one. The old key moves into DIR/retired, and its
prekey secrets (DIR/prekeys) with it: for the grace period (default 14d) the
node still opens mail sealed to it, version 2 included. The next node
command run with --key NEW.key --data-dir DIR announces the rotation to every
contact once; their nodes switch to the new card by themselves. Under an
organisation, have NEW.card certified first (herald org certify) and set it
with herald trust certificate; announcements wait for it. Ask the authority to
revoke the old fingerprint as superseded once the grace period is over.`,
  flags: {
    key: { type: 'string', value: 'KEY', required: true, description: 'the key to retire' },
    out: { type: 'string', value: 'FILE', required: true, description: 'the new secret key file; the card and the rotation statement go beside it' },
    'data-dir': { type: 'string', value: 'DIR', required: true, description: 'the node data directory that keeps the retired key' },
    grace: { type: 'string', value: 'DURATION', description: 'how long the old key still decrypts (default 14d)' },
    label: { type: 'string', value: 'NAME', description: 'label of the new card (default: the old one)' },
    'passphrase-file': { type: 'string', value: 'FILE', description: `passphrase for both keys (else ${PASSPHRASE_ENV})` },
  },
  async run({ flags }) {
    const grace = durationFlag('--grace', flags.grace, 14 * 24 * 3600);
    const previous = await loadIdentity(flags.key ?? '', flags['passphrase-file']);
    const passphrase = await readPassphrase(flags['passphrase-file']);
    const keyPath = flags.out ?? '';
    const cardPath = cardPathFor(keyPath);
    const rotationPath = keyPath.endsWith('.key') ? `${keyPath.slice(0, -'.key'.length)}.rotation` : `${keyPath}.rotation`;
    for (const [path, what] of [[keyPath, 'key file'], [cardPath, 'card file'], [rotationPath, 'rotation file']] as const) await ensureWritable(path, what, false);
    let successor;
    try {
      successor = generateIdentity({ label: flags.label ?? previous.card.label });
    } catch (error) {
      throw new UsageError(`--label ${(error as Error).message}`);
    }
    const statement = createRotation(previous, successor);
    try {
      await writeSecretKeyFile(keyPath, successor, passphrase === undefined ? {} : { passphrase, strength: kdfStrength() });
    } catch (error) {
      throw fileError(error, keyPath, 'key file');
    }
    await writeTextFile(cardPath, cardToFile(successor.card), 'card file', false);
    await writeTextFile(rotationPath, rotationToText(statement), 'rotation file', false);
    await retiredKeys(flags['data-dir'] ?? '').add(previous, statement, Date.now() + grace * 1000, passphrase);
    await writeStderr(`wrote ${keyPath} (secret), ${cardPath} and ${rotationPath}; the old key decrypts for ${flags.grace ?? '14d'} more from ${flags['data-dir']}/retired\n`);
    await writeStdout(`${previous.card.fingerprint} -> ${successor.card.fingerprint}\n`);
  },
});
