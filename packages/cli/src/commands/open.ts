import { open as openEnvelope, type Card, type OpenedMessage, type PrekeySecretStore } from '@herald/core';
import { lmdbPrekeySecretStore } from '@herald/store-lmdb';
import { join } from 'node:path';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';
import { readEnvelope } from '../envelope-input.js';
import { writeStderr, writeStdout } from '../io.js';
import { loadCard, loadIdentity } from '../keys.js';
import { PASSPHRASE_ENV } from '../passphrase.js';
import { printable } from '../text.js';

export const open = defineCommand({
  name: 'open',
  summary: 'decrypt and verify an envelope from stdin',
  synopsis: '--key KEY [--data-dir DIR] [--sender CARD | --contact CARD …] < message.env > message',
  description: `
Reads an envelope (binary or armored) from stdin, writes the plaintext to stdout
and what is known about it (sender fingerprint, id, precedence, created, expires,
content type) to stderr as "key: value" lines. Nothing is written to stdout
unless the envelope decrypts and its signature verifies.

With --sender, only a message signed by that card is accepted (UNKNOWN_SENDER
otherwise). --contact cards name senders and are needed for compact senders.

A version-2 envelope needs the prekey secrets in DIR/prekeys (--data-dir, as
for 'herald prekey'); a one-time prekey's secret is deleted once the
plaintext is written. Without it, or once the secret is gone: PREKEY_GONE.`,
  flags: {
    key: { type: 'string', value: 'KEY', required: true, description: 'your secret key file' },
    sender: { type: 'string', value: 'CARD', description: 'accept only a message from this card' },
    contact: { type: 'string', value: 'CARD', multiple: true, description: 'a known contact card' },
    'data-dir': { type: 'string', value: 'DIR', description: 'node data directory holding your prekey secrets (version-2 envelopes)' },
    'passphrase-file': { type: 'string', value: 'FILE', description: `passphrase for a protected key (else ${PASSPHRASE_ENV})` },
  },
  async run({ flags }) {
    // With --sender the contact list *is* the allow-list; more cards would widen it behind the user's back.
    if (flags.sender !== undefined && flags.contact !== undefined) throw new UsageError('--sender and --contact cannot be combined');
    const identity = await loadIdentity(flags.key ?? '', flags['passphrase-file']);
    const contacts = await loadCards(flags.sender === undefined ? (flags.contact ?? []) : [flags.sender]);
    const envelope = await readEnvelope();
    const store = flags['data-dir'] === undefined ? undefined : await lmdbPrekeySecretStore({ path: join(flags['data-dir'], 'prekeys'), identity });
    try {
      const opened = await openEnvelope(envelope, { identity, contacts, requireKnownSender: flags.sender !== undefined, ...(store ? { prekeys: store } : {}) });
      await writeStderr(metadata(opened));
      await writeStdout(opened.plaintext);
      await forgetOneTime(opened, store);
    } finally {
      await store?.close();
    }
  },
});

/** The message is out: a one-time prekey has done its job, and deleting its secret is what makes the envelope unreadable later. */
async function forgetOneTime(opened: OpenedMessage, store: PrekeySecretStore | undefined): Promise<void> {
  if (opened.prekey?.oneTime && store) await store.delete(Buffer.from(opened.prekey.id, 'hex'));
}

async function loadCards(paths: readonly string[]): Promise<Card[]> {
  const cards: Card[] = [];
  for (const path of paths) cards.push(await loadCard(path));
  return cards;
}

function metadata(opened: OpenedMessage): string {
  const lines: [string, string][] = [['sender', opened.sender.fingerprint]];
  if (opened.sender.card && opened.sender.card.label !== '') lines.push(['sender-label', opened.sender.card.label]);
  lines.push(
    ['id', opened.id],
    ['precedence', opened.precedence],
    ['created', opened.created.toISOString()],
    ['expires', opened.expires.toISOString()],
    ['content-type', opened.contentType],
    ['padded', opened.padded ? 'yes' : 'no'],
    ['version', String(opened.version)],
  );
  if (opened.prekey) lines.push(['prekey', `${opened.prekey.id} ${opened.prekey.kind}${opened.prekey.oneTime ? ' one-time (secret deleted)' : ''}`]);
  return lines.map(([key, value]) => `${key}: ${printable(value)}\n`).join('');
}
