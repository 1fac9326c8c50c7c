import {
  DEFAULT_OPEN_FOR_SECONDS,
  DEFAULT_SEAL_FOR_SECONDS,
  generatePrekeys,
  importContactPrekeys,
  parsePrekeyBundle,
  prekeyBundleToText,
  toHex,
  verifyPrekeyBundle,
  MAX_TTL_SECONDS,
  MIN_PREKEY_PERIOD_SECONDS,
  type GeneratePrekeysInit,
  type Identity,
  type PrekeySecretStore,
  type SignedPrekey,
} from '@herald/core';
import { lmdbPrekeySecretStore } from '@herald/store-lmdb';
import { join } from 'node:path';
import { defineCommand } from '../command.js';
import { dataDir } from '../data-dir.js';
import { formatDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { readTextFile, writeTextFile } from '../files.js';
import { writeStdout } from '../io.js';
import { loadCard, loadIdentity } from '../keys.js';
import { PASSPHRASE_ENV } from '../passphrase.js';
import { durationFlag } from '../duration.js';

const ACTIONS = ['new', 'export', 'import', 'list', 'prune', 'check'] as const;

export const prekey = defineCommand({
  name: 'prekey',
  summary: 'make, publish, list and prune the signed prekeys that envelope version 2 seals to',
  synopsis: 'new | export [--one-time N] [--out FILE] | list | prune  --key KEY --data-dir DIR [options]   |   import BUNDLE --card CARD --data-dir DIR   |   check BUNDLE --card CARD',
  description: `
Signed prekeys give version-2 envelopes forward secrecy and post-quantum
protection (docs/protocol.md section 16). Their secrets live in DIR/prekeys,
encrypted under your key (and so under its passphrase, if it has one).
  new     makes one medium-term prekey, or --one-time N one-time prekeys
  export  prints the bundle of medium-term prekeys senders may still seal to
          (herald-prekeys:…), to carry by hand; --one-time N adds N one-time
          prekeys made for this export alone: give such a bundle to one person
  import  keeps a contact's bundle (from their export, checked against --card)
          in DIR, so your next message to them is sealed version 2 at once
  list    shows every prekey kept: id, kind, one-time, sealUntil, openUntil
  prune   deletes the secrets whose openUntil has come (overwritten, then removed)
  check   verifies a bundle file or text against its owner's card; a bundle not
          signed by the card's key, altered, expired or for another identity is
          refused (BAD_PREKEY, PREKEY_EXPIRED)`,
  flags: {
    key: { type: 'string', value: 'KEY', description: 'your secret key file (new, export, list, prune)' },
    'data-dir': { type: 'string', value: 'DIR', description: 'the node data directory (new, export, list, prune)' },
    'passphrase-file': { type: 'string', value: 'FILE', description: `passphrase for a protected key (else ${PASSPHRASE_ENV})` },
    kind: { type: 'string', value: 'KIND', description: 'new, and export --one-time: xwing (hybrid post-quantum, default; export: the medium-term prekey\'s kind) or x25519 (classical, small enough for cipher groups and QR)' },
    'one-time': { type: 'string', value: 'N', description: 'new: make N one-time prekeys (1 to 255) instead of one medium-term prekey; export: add N fresh one-time prekeys (1 to 255)' },
    'seal-for': { type: 'string', value: 'DURATION', description: `new: senders may seal to it this long (default ${formatDuration(DEFAULT_SEAL_FOR_SECONDS)}, at least 1m)` },
    'open-for': { type: 'string', value: 'DURATION', description: `new: the secret is kept this long after that (default ${formatDuration(DEFAULT_OPEN_FOR_SECONDS)}, at least 1m)` },
    out: { type: 'string', value: 'FILE', description: 'export: write the bundle to FILE (created, never overwritten) instead of stdout' },
    card: { type: 'string', value: 'CARD', description: "check, import: the bundle owner's card file or card text" },
  },
  args: ['ACTION'],
  optionalArgs: ['BUNDLE'],
  async run({ flags, args }) {
    const [action, bundleArgument] = args;
    if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) throw new UsageError(`prekey takes ${ACTIONS.join(', ')}; got '${action ?? ''}'`);
    if (action === 'check') {
      if (bundleArgument === undefined || flags.card === undefined) throw new UsageError('prekey check needs BUNDLE (a file or herald-prekeys: text) and --card CARD');
      const card = await loadCard(flags.card);
      const text = bundleArgument.startsWith('herald-prekeys:') ? bundleArgument : await readTextFile(bundleArgument, 'prekey bundle');
      const usable = verifyPrekeyBundle(parsePrekeyBundle(text), card);
      await writeStdout(`valid: ${usable.length} prekey${usable.length === 1 ? '' : 's'} of [${card.fingerprint}] open for sealing\n${usable.map(describe).join('')}`);
      return;
    }
    if (action === 'import') {
      if (bundleArgument === undefined || flags.card === undefined || flags['data-dir'] === undefined) throw new UsageError('prekey import needs BUNDLE (a file or herald-prekeys: text), --card CARD and --data-dir DIR');
      await importBundle(bundleArgument, flags.card, flags['data-dir']);
      return;
    }
    if (bundleArgument !== undefined) throw new UsageError(`prekey ${action} takes no argument; got '${bundleArgument}'`);
    if (flags.key === undefined || flags['data-dir'] === undefined) throw new UsageError(`prekey ${action} needs --key KEY and --data-dir DIR`);
    // Checked before the key is read: a typo should not cost a passphrase prompt.
    const init = action === 'new' ? newPrekeyInit(flags) : undefined;
    const exportOneTime = action === 'export' ? oneTimeCount(flags['one-time']) ?? 0 : 0;
    const identity = await loadIdentity(flags.key, flags['passphrase-file']);
    const store = await lmdbPrekeySecretStore({ path: join(flags['data-dir'], 'prekeys'), identity });
    try {
      if (init !== undefined) {
        const owned = generatePrekeys(identity, init);
        for (const item of owned) await store.put(item);
        await writeStdout(owned.map((item) => describe(item.prekey)).join(''));
      }
      else if (action === 'list') {
        const prekeys = store.list();
        await writeStdout(prekeys.length === 0 ? 'no prekeys\n' : prekeys.map(describe).join(''));
      } else if (action === 'prune') {
        const pruned = await store.prune();
        await writeStdout(`pruned ${pruned.length} prekey${pruned.length === 1 ? '' : 's'}${pruned.map((id) => `\n  ${id}`).join('')}\n`);
      } else await exportBundle(store, identity, flags.out, exportOneTime, flags.kind);
    } finally {
      await store.close();
    }
  },
});

function newPrekeyInit(flags: { kind?: string; 'one-time'?: string; 'seal-for'?: string; 'open-for'?: string }): GeneratePrekeysInit {
  const kind = flags.kind ?? 'xwing';
  if (kind !== 'xwing' && kind !== 'x25519') throw new UsageError(`--kind must be xwing or x25519; got '${kind}'`);
  const oneTime = oneTimeCount(flags['one-time']);
  const sealForSeconds = durationFlag('--seal-for', flags['seal-for'], DEFAULT_SEAL_FOR_SECONDS);
  const openForSeconds = durationFlag('--open-for', flags['open-for'], DEFAULT_OPEN_FOR_SECONDS);
  for (const [name, seconds] of [['--seal-for', sealForSeconds], ['--open-for', openForSeconds]] as const) {
    if (seconds < MIN_PREKEY_PERIOD_SECONDS || seconds > MAX_TTL_SECONDS) throw new UsageError(`${name} must be between 1m and ${formatDuration(MAX_TTL_SECONDS)}`);
  }
  return { kind, count: oneTime ?? 1, oneTime: oneTime !== undefined, sealForSeconds, openForSeconds };
}

function oneTimeCount(flag: string | undefined): number | undefined {
  const count = flag === undefined ? undefined : Number(flag);
  if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > 255)) throw new UsageError(`--one-time must be a count from 1 to 255; got '${flag}'`);
  return count;
}

/**
 * Medium-term prekeys only, plus one-time prekeys made now for this bundle: a one-time prekey handed to two people
 * would open only the first message sealed to it (the second would be PREKEY_GONE).
 */
async function exportBundle(store: PrekeySecretStore, identity: Identity, out: string | undefined, oneTime: number, kindFlag: string | undefined): Promise<void> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const medium = store.list().filter((prekey) => !prekey.oneTime && prekey.sealUntil > nowSeconds);
  if (medium.length === 0 && oneTime === 0) throw new UsageError("no prekey senders may seal to: make one with 'herald prekey new', or export fresh one-time prekeys with --one-time N");
  const kind = kindFlag ?? medium.at(-1)?.kind ?? 'xwing';
  if (kind !== 'xwing' && kind !== 'x25519') throw new UsageError(`--kind must be xwing or x25519; got '${kind}'`);
  const fresh: SignedPrekey[] = [];
  for (const owned of oneTime > 0 ? generatePrekeys(identity, { kind, count: oneTime, oneTime: true }) : []) {
    await store.put(owned);
    owned.secretKey.fill(0);
    fresh.push(owned.prekey);
  }
  const sealable = [...medium.slice(-(255 - fresh.length)), ...fresh];
  const text = `${prekeyBundleToText({ owner: identity.card.signingPublicKey, prekeys: sealable })}\n`;
  if (out === undefined) await writeStdout(text);
  else {
    await writeTextFile(out, text, 'prekey bundle', false);
    await writeStdout(`wrote ${sealable.length} prekey${sealable.length === 1 ? '' : 's'} to ${out}\n`);
  }
}

async function importBundle(bundleArgument: string, cardPath: string, dir: string): Promise<void> {
  const card = await loadCard(cardPath);
  const text = bundleArgument.startsWith('herald-prekeys:') ? bundleArgument : await readTextFile(bundleArgument, 'prekey bundle');
  const bundle = parsePrekeyBundle(text);
  const store = await dataDir(dir).openStore();
  try {
    const kept = await importContactPrekeys(store, card, bundle);
    await writeStdout(`kept ${kept} prekey${kept === 1 ? '' : 's'} of [${card.fingerprint}]: messages to them are sealed version 2\n`);
  } finally {
    await store.close();
  }
}

function describe(prekey: SignedPrekey): string {
  const time = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  return `${toHex(prekey.id)}  ${prekey.kind.padEnd(6)}  ${prekey.oneTime ? 'one-time' : 'medium  '}  seal until ${time(prekey.sealUntil)}  open until ${time(prekey.openUntil)}\n`;
}
