import {
  DEFAULT_OPEN_FOR_SECONDS,
  DEFAULT_SEAL_FOR_SECONDS,
  generatePrekeys,
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
import { formatDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { readTextFile, writeTextFile } from '../files.js';
import { writeStdout } from '../io.js';
import { loadCard, loadIdentity } from '../keys.js';
import { PASSPHRASE_ENV } from '../passphrase.js';
import { durationFlag } from './send.js';

const ACTIONS = ['new', 'export', 'list', 'prune', 'check'] as const;

export const prekey = defineCommand({
  name: 'prekey',
  summary: 'make, publish, list and prune the signed prekeys that envelope version 2 seals to',
  synopsis: 'new | export [--out FILE] | list | prune  --key KEY --data-dir DIR [options]   |   check BUNDLE --card CARD',
  description: `
Signed prekeys give version-2 envelopes forward secrecy and post-quantum
protection (docs/protocol.md section 16). Their secrets live in DIR/prekeys,
encrypted under your key (and so under its passphrase, if it has one).
  new     makes one medium-term prekey, or --one-time N one-time prekeys
  export  prints the bundle of prekeys senders may still seal to (herald-prekeys:…)
  list    shows every prekey kept: id, kind, one-time, sealUntil, openUntil
  prune   deletes the secrets whose openUntil has come (overwritten, then removed)
  check   verifies a bundle file or text against its owner's card; a bundle not
          signed by the card's key, altered, expired or for another identity is
          refused (BAD_PREKEY, PREKEY_EXPIRED)`,
  flags: {
    key: { type: 'string', value: 'KEY', description: 'your secret key file (new, export, list, prune)' },
    'data-dir': { type: 'string', value: 'DIR', description: 'the node data directory (new, export, list, prune)' },
    'passphrase-file': { type: 'string', value: 'FILE', description: `passphrase for a protected key (else ${PASSPHRASE_ENV})` },
    kind: { type: 'string', value: 'KIND', description: 'new: xwing (hybrid post-quantum, default) or x25519 (classical, small enough for cipher groups and QR)' },
    'one-time': { type: 'string', value: 'N', description: 'new: make N one-time prekeys (1 to 255) instead of one medium-term prekey' },
    'seal-for': { type: 'string', value: 'DURATION', description: `new: senders may seal to it this long (default ${formatDuration(DEFAULT_SEAL_FOR_SECONDS)}, at least 1m)` },
    'open-for': { type: 'string', value: 'DURATION', description: `new: the secret is kept this long after that (default ${formatDuration(DEFAULT_OPEN_FOR_SECONDS)}, at least 1m)` },
    out: { type: 'string', value: 'FILE', description: 'export: write the bundle to FILE (created, never overwritten) instead of stdout' },
    card: { type: 'string', value: 'CARD', description: "check: the bundle owner's card file or card text" },
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
    if (bundleArgument !== undefined) throw new UsageError(`prekey ${action} takes no argument; got '${bundleArgument}'`);
    if (flags.key === undefined || flags['data-dir'] === undefined) throw new UsageError(`prekey ${action} needs --key KEY and --data-dir DIR`);
    // Checked before the key is read: a typo should not cost a passphrase prompt.
    const init = action === 'new' ? newPrekeyInit(flags) : undefined;
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
      } else await exportBundle(store, identity, flags.out);
    } finally {
      await store.close();
    }
  },
});

function newPrekeyInit(flags: { kind?: string; 'one-time'?: string; 'seal-for'?: string; 'open-for'?: string }): GeneratePrekeysInit {
  const kind = flags.kind ?? 'xwing';
  if (kind !== 'xwing' && kind !== 'x25519') throw new UsageError(`--kind must be xwing or x25519; got '${kind}'`);
  const oneTime = flags['one-time'] === undefined ? undefined : Number(flags['one-time']);
  if (oneTime !== undefined && (!Number.isInteger(oneTime) || oneTime < 1 || oneTime > 255)) throw new UsageError(`--one-time must be a count from 1 to 255; got '${flags['one-time']}'`);
  const sealForSeconds = durationFlag('--seal-for', flags['seal-for'], DEFAULT_SEAL_FOR_SECONDS);
  const openForSeconds = durationFlag('--open-for', flags['open-for'], DEFAULT_OPEN_FOR_SECONDS);
  for (const [name, seconds] of [['--seal-for', sealForSeconds], ['--open-for', openForSeconds]] as const) {
    if (seconds < MIN_PREKEY_PERIOD_SECONDS || seconds > MAX_TTL_SECONDS) throw new UsageError(`${name} must be between 1m and ${formatDuration(MAX_TTL_SECONDS)}`);
  }
  return { kind, count: oneTime ?? 1, oneTime: oneTime !== undefined, sealForSeconds, openForSeconds };
}

async function exportBundle(store: PrekeySecretStore, identity: Identity, out: string | undefined): Promise<void> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const sealable = store.list().filter((prekey) => prekey.sealUntil > nowSeconds).slice(-255);
  if (sealable.length === 0) throw new UsageError("no prekey senders may seal to: make one with 'herald prekey new'");
  const text = `${prekeyBundleToText({ owner: identity.card.signingPublicKey, prekeys: sealable })}\n`;
  if (out === undefined) await writeStdout(text);
  else {
    await writeTextFile(out, text, 'prekey bundle', false);
    await writeStdout(`wrote ${sealable.length} prekey${sealable.length === 1 ? '' : 's'} to ${out}\n`);
  }
}

function describe(prekey: SignedPrekey): string {
  const time = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  return `${toHex(prekey.id)}  ${prekey.kind.padEnd(6)}  ${prekey.oneTime ? 'one-time' : 'medium  '}  seal until ${time(prekey.sealUntil)}  open until ${time(prekey.openUntil)}\n`;
}
