import { toHex, type Card } from '@herald/core';
import { decodeBundle, encodeBundle, DEFAULT_MAX_BUNDLE_BYTES } from '@herald/courier';
import { defineCommand } from '../command.js';
import { relayImport } from '../bundle-relay-import.js';
import { nodeExport, relayExport } from '../bundle-sources.js';
import { takeIn } from '../courier-intake.js';
import { NODE_FLAGS } from '../node-runtime.js';
import { dataDir } from '../data-dir.js';
import { UsageError } from '../errors.js';
import { readBinaryFile } from '../files.js';
import { readStdin, stdoutIsTerminal, writeStderr, writeStdout } from '../io.js';
import { loadCard, loadIdentity } from '../keys.js';
import { PASSPHRASE_ENV } from '../passphrase.js';
import { progressReporter, progressWanted } from '../progress.js';

export const bundle = defineCommand({
  name: 'bundle',
  summary: 'pack pending mail into a courier bundle for removable media, or take one in',
  synopsis: 'export (--data-dir DIR [--to CONTACT …] | --relay-dir DIR (--to CARD | --tag HEX) …) > out.bundle\n       herald bundle import (--key KEY --data-dir DIR [--via URL …] | --relay-dir DIR) [FILE] < in.bundle',
  description: `
export packs, into one integrity-checked file on stdout, every envelope a
courier should carry: from a node (--data-dir), its pending outbox messages and
the acks and messages waiting in its courier spool, for the --to contacts (card
file, label or fingerprint) or for everyone; from a relay (--relay-dir), what
its mailboxes hold for the --to cards or --tag routing tags. Nothing is removed:
a node keeps a message until its end-to-end ack comes back.

import checks the whole bundle first (a damaged or cut file is refused with
BAD_BUNDLE or TRUNCATED_BUNDLE and nothing is taken in), then hands every
envelope to the node's inbound path (opened, verified, deduplicated, stored and
acked end to end; the acks wait in the courier spool for the next export unless
a --via channel is up), or deposits it into the relay's mailboxes. Importing the
same bundle twice changes nothing. Progress goes to stderr (--progress, or when
stderr is a terminal).`,
  flags: {
    'data-dir': { type: 'string', value: 'DIR', description: 'the node data directory' },
    'relay-dir': { type: 'string', value: 'DIR', description: "a relay's data directory (stop the relay first)" },
    key: { type: 'string', value: 'KEY', description: 'import into a node: your secret key file' },
    to: { type: 'string', value: 'CONTACT', multiple: true, description: 'export only mail for this contact (repeatable)' },
    tag: { type: 'string', value: 'HEX', multiple: true, description: 'relay export: a routing tag, 32 hex characters (repeatable)' },
    via: { type: 'string', value: 'URL', multiple: true, description: 'import into a node: channels for the acks before the courier spool (repeatable)' },
    proxy: NODE_FLAGS.proxy,
    'max-bytes': { type: 'string', value: 'N', description: `largest bundle read (default ${DEFAULT_MAX_BUNDLE_BYTES})` },
    progress: { type: 'boolean', description: 'show progress on stderr even when it is not a terminal' },
    'passphrase-file': { type: 'string', value: 'FILE', description: `passphrase for a protected key (else ${PASSPHRASE_ENV})` },
  },
  args: ['ACTION'],
  optionalArgs: ['FILE'],
  async run({ flags, args }) {
    const [action, file] = args;
    const node = flags['data-dir'];
    const relay = flags['relay-dir'];
    if ((node === undefined) === (relay === undefined)) throw new UsageError('give exactly one of --data-dir (a node) or --relay-dir (a relay)');
    const progress = progressReporter(progressWanted(flags.progress));
    if (action === 'export') {
      if (file !== undefined) throw new UsageError('export writes to stdout; redirect it to a file');
      if (flags.key !== undefined || flags.via !== undefined) throw new UsageError('--key and --via go with import');
      if (stdoutIsTerminal()) throw new UsageError('refusing to write a bundle to a terminal; redirect stdout to a file');
      const selection = node !== undefined ? await nodeExport(node, await contactsFor(node, flags.to)) : await relayExport(relay ?? '', await relayTags(flags.to, flags.tag));
      const bytes = encodeBundle(selection.envelopes);
      progress('writing', bytes.length, bytes.length);
      await writeStdout(bytes);
      const detail = node !== undefined ? ` (${selection.messages} pending message${selection.messages === 1 ? '' : 's'}, ${selection.spooled} from the courier spool)` : '';
      await writeStderr(`exported ${selection.envelopes.length} envelope${selection.envelopes.length === 1 ? '' : 's'}${detail}, ${bytes.length} bytes\n`);
      return;
    }
    if (action !== 'import') throw new UsageError(`bundle takes export or import; got '${action ?? ''}'`);
    if (flags.to !== undefined || flags.tag !== undefined) throw new UsageError('--to and --tag go with export');
    if (node !== undefined && flags.key === undefined) throw new UsageError('importing into a node needs --key');
    if (relay !== undefined && (flags.key !== undefined || flags.via !== undefined)) throw new UsageError('a relay import takes neither --key nor --via');
    const maxBytes = maxBytesFlag(flags['max-bytes']);
    const bytes = file !== undefined ? await readBinaryFile(file, maxBytes, 'bundle') : await readStdin(maxBytes, 'bundle');
    const { envelopes } = decodeBundle(bytes, { onProgress: (done, total, phase) => progress(phase === 'checking' ? 'checking bytes' : 'reading envelopes', done, total) });
    if (relay !== undefined) {
      const outcome = await relayImport(relay, envelopes, (done, total) => progress('depositing', done, total));
      await writeStderr(`imported ${envelopes.length} envelopes into the relay: ${outcome.stored} stored, ${outcome.duplicates} already there, ${outcome.expired} expired, ${outcome.tooLarge} too large, ${outcome.full} refused by a full mailbox\n`);
      return;
    }
    const identity = await loadIdentity(flags.key ?? '', flags['passphrase-file']);
    const outcome = await takeIn({ identity, dataDir: node ?? '', ...(flags.via ? { via: flags.via } : {}), ...(flags.proxy === undefined ? {} : { proxy: flags.proxy }), envelopes, onProgress: (done, total) => progress('taking in', done, total) });
    const refused = [...outcome.refused].map(([code, count]) => `${count} ${code}`).join(', ');
    await writeStderr(
      `imported ${envelopes.length} envelopes: ${outcome.newMessages} new message${outcome.newMessages === 1 ? '' : 's'}, ${outcome.acksApplied} delivered by ack, ${outcome.known} already taken in` +
        `${refused ? `, refused: ${refused}` : ''}${outcome.failed > 0 ? `, ${outcome.failed} NOT taken in (store busy or full: import again)` : ''}; ${outcome.acksWritten} ack${outcome.acksWritten === 1 ? '' : 's'} sent\n`,
    );
  },
});

/** --to for a node: card files or herald-card: text, or labels and fingerprints of its contacts. */
async function contactsFor(path: string, values: readonly string[] | undefined): Promise<Card[] | undefined> {
  if (!values || values.length === 0) return undefined;
  const known = await dataDir(path).contacts();
  return Promise.all(
    values.map(async (value) => {
      if (value.startsWith('herald-card:') || value.includes('/') || value.endsWith('.card')) return loadCard(value);
      const compact = value.replace(/\s+/g, '').toUpperCase();
      const matches = known.filter((card) => card.label === value || card.fingerprint.replace(/ /g, '') === compact);
      if (matches.length !== 1) throw new UsageError(`--to ${value}: ${matches.length === 0 ? 'no contact has this label or fingerprint' : 'several contacts have this label; use the fingerprint'}`);
      return matches[0] as Card;
    }),
  );
}

async function relayTags(cards: readonly string[] | undefined, tags: readonly string[] | undefined): Promise<string[]> {
  const out = new Set<string>();
  for (const tag of tags ?? []) {
    if (!/^[0-9a-fA-F]{32}$/.test(tag)) throw new UsageError(`--tag must be a routing tag of 32 hex characters; got '${tag}'`);
    out.add(tag.toLowerCase());
  }
  for (const card of cards ?? []) out.add(toHex((await loadCard(card)).routingTag));
  if (out.size === 0) throw new UsageError('a relay export needs --to CARD or --tag HEX: whose mail should the courier carry?');
  return [...out];
}

function maxBytesFlag(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_BUNDLE_BYTES;
  if (!/^\d+$/.test(value) || Number(value) < 64 || Number(value) > 4 * 1024 * 1024 * 1024) throw new UsageError(`--max-bytes must be a number of bytes from 64 to 4 GiB; got '${value}'`);
  return Number(value);
}
