import {
  DEFAULT_MAX_PLAINTEXT_BYTES,
  DEFAULT_TTL_SECONDS,
  MAX_RECIPIENTS,
  MAX_TTL_SECONDS,
  PRECEDENCES,
  armorEnvelope,
  parsePrecedence,
  seal as sealEnvelope,
  sealV2,
  type Card,
  type Precedence,
  type SealContentOptions,
} from '@herald/core';
import { isUtf8 } from 'node:buffer';
import { defineCommand } from '../command.js';
import { durationFlag, formatDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { readStdin, stdoutIsTerminal, writeStdout } from '../io.js';
import { loadCard, loadIdentity } from '../keys.js';
import { PASSPHRASE_ENV } from '../passphrase.js';
import { prekeysForRecipients } from '../seal-prekeys.js';

const MAX_CONTENT_TYPE_BYTES = 255;
const TEXT_TYPE = 'text/plain; charset=utf-8';
const BYTES_TYPE = 'application/octet-stream';

export const seal = defineCommand({
  name: 'seal',
  summary: 'encrypt and sign a message from stdin for one or more contacts',
  synopsis: '--from KEY --to CARD [--to CARD …] [--prekeys BUNDLE …] [options] < message > message.env',
  description: `
Reads the message from stdin and writes a sealed envelope to stdout: binary by
default, ASCII-armored text with --armor. Only the recipients can open it; each
of them can check that it came from --from.

With --prekeys (one bundle per recipient, from 'herald prekey export'), the
envelope is version 2: forward secret, and post-quantum when every recipient's
chosen prekey is xwing. Each bundle is verified against the recipient's card;
if any recipient lacks a usable prekey the seal is refused, never silently
made version 1.`,
  flags: {
    from: { type: 'string', value: 'KEY', required: true, description: 'your secret key file' },
    to: { type: 'string', value: 'CARD', multiple: true, required: true, description: `recipient card file or herald-card: text, up to ${MAX_RECIPIENTS}` },
    precedence: { type: 'string', value: 'LEVEL', description: 'flash, immediate, priority or routine (default routine)' },
    ttl: { type: 'string', value: 'DURATION', description: `time to live: 30s, 10m, 1h, 7d or seconds; up to ${formatDuration(MAX_TTL_SECONDS)} (default ${formatDuration(DEFAULT_TTL_SECONDS)})` },
    'no-pad': { type: 'boolean', description: 'do not pad to a size bucket (smaller, but reveals the exact length)' },
    armor: { type: 'boolean', description: 'write ASCII-armored text instead of binary' },
    'content-type': { type: 'string', value: 'TYPE', description: `content type (default ${TEXT_TYPE} if the input is UTF-8, else ${BYTES_TYPE})` },
    'compact-sender': { type: 'boolean', description: 'name the sender by key id (24 bytes smaller; recipients need your card to open)' },
    'compact-text': { type: 'boolean', description: 'code text in about 5.7 bits a character (what Morse keys; capitals cost one more symbol) or 6.6 (other ASCII) inside the encryption (readers built before this coding refuse it)' },
    prekeys: { type: 'string', value: 'BUNDLE', multiple: true, description: 'a recipient\'s prekey bundle (file or herald-prekeys: text): seal version 2, forward secret' },
    'passphrase-file': { type: 'string', value: 'FILE', description: `passphrase for a protected key (else ${PASSPHRASE_ENV})` },
  },
  async run({ flags }) {
    const precedence = precedenceFlag(flags.precedence);
    const ttl = ttlFlag(flags.ttl);
    const contentType = flags['content-type'];
    if (contentType !== undefined) checkContentType(contentType);
    // Refuse before reading stdin, so nobody types a message only to be told this.
    if (!flags.armor && stdoutIsTerminal()) throw new UsageError('refusing to write a binary envelope to a terminal; redirect stdout or use --armor');
    const to = await recipients(flags.to ?? []);
    const withPrekeys = flags.prekeys === undefined ? undefined : await prekeysForRecipients(to, flags.prekeys, Math.floor(Date.now() / 1000) + ttl);
    const from = await loadIdentity(flags.from ?? '', flags['passphrase-file']);
    const plaintext = await readStdin(DEFAULT_MAX_PLAINTEXT_BYTES, 'message');
    const options: SealContentOptions = {
      from,
      precedence,
      ttl,
      // Text gets a text type so the recipient's tools can show it; the type travels encrypted.
      contentType: contentType ?? (isUtf8(plaintext) ? TEXT_TYPE : BYTES_TYPE),
      pad: !flags['no-pad'],
      sender: flags['compact-sender'] ? 'keyId' : 'key',
      compactText: flags['compact-text'] === true,
    };
    const envelope = withPrekeys ? sealV2(plaintext, { ...options, to: withPrekeys }) : sealEnvelope(plaintext, { ...options, to });
    await writeStdout(flags.armor ? armorEnvelope(envelope) : envelope);
  },
});

function precedenceFlag(value: string | undefined): Precedence {
  if (value === undefined) return 'ROUTINE';
  const precedence = parsePrecedence(value);
  if (!precedence) throw new UsageError(`--precedence must be one of ${PRECEDENCES.join(', ').toLowerCase()}; got '${value}'`);
  return precedence;
}

function ttlFlag(value: string | undefined): number {
  const seconds = durationFlag('--ttl', value, DEFAULT_TTL_SECONDS);
  if (seconds > MAX_TTL_SECONDS) throw new UsageError(`--ttl must be at most ${formatDuration(MAX_TTL_SECONDS)}; got '${value}'`);
  return seconds;
}

function checkContentType(value: string): void {
  const length = Buffer.byteLength(value, 'utf8');
  if (length === 0 || length > MAX_CONTENT_TYPE_BYTES) throw new UsageError(`--content-type must be 1 to ${MAX_CONTENT_TYPE_BYTES} UTF-8 bytes`);
}

async function recipients(paths: readonly string[]): Promise<Card[]> {
  if (paths.length > MAX_RECIPIENTS) throw new UsageError(`--to is limited to ${MAX_RECIPIENTS} recipients; got ${paths.length}`);
  const cards: Card[] = [];
  for (const path of paths) {
    const card = await loadCard(path);
    if (cards.some((other) => other.fingerprint === card.fingerprint)) throw new UsageError(`--to ${path} names ${card.fingerprint} again`);
    cards.push(card);
  }
  return cards;
}
