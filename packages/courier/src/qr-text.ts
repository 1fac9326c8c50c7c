import { OptionsError } from '@herald/core';
import { base32Decode, base32Encode } from './base32.js';
import { CourierError } from './errors.js';
import { sodium } from './sodium.js';
import { utf8ToBytes } from './text.js';

/**
 * The text inside each QR code (protocol.md, addendum D):
 *
 *   HQ1:<k>/<n>:<ID>:<DATA>
 *
 * k of n parts (decimal), ID the first 40 bits of BLAKE2b-128(key =
 * "herald/v1/qr-code", msg = envelope) in 8 Crockford base32 characters (it groups
 * the parts and checks the reassembled whole), DATA Crockford base32 of the
 * part's bytes. Every character is in the QR alphanumeric set, so a code holds
 * 5.5 bits per character and scanners hand the text back unchanged.
 */
export const QR_PREFIX = 'HQ1';
export const QR_DOMAIN = utf8ToBytes('herald/v1/qr-code');
export const DEFAULT_QR_CHARS = 900;
export const MIN_QR_CHARS = 64;
export const MAX_QR_CHARS = 4000;
export const MAX_QR_PARTS = 999;

function messageKey(envelope: Uint8Array): string {
  return base32Encode(sodium.crypto_generichash(16, envelope, QR_DOMAIN).subarray(0, 5));
}

/** Splits an envelope into the texts of `n` codes, each at most `maxChars` characters. */
export function qrTexts(envelope: Uint8Array, options: { maxChars?: number } = {}): string[] {
  const maxChars = options.maxChars ?? DEFAULT_QR_CHARS;
  if (!Number.isInteger(maxChars) || maxChars < MIN_QR_CHARS || maxChars > MAX_QR_CHARS) throw new OptionsError(`qr: maxChars: expected ${MIN_QR_CHARS} to ${MAX_QR_CHARS}, got ${String(maxChars)}`);
  if (!(envelope instanceof Uint8Array) || envelope.length === 0) throw new TypeError('envelope must be a non-empty Uint8Array');
  const key = messageKey(envelope);
  // Room for "HQ1:999/999:XXXXXXXX:"; parts of whole 5-byte blocks encode to whole 8-character blocks.
  const partBytes = Math.floor((maxChars - 21) / 8) * 5;
  const count = Math.ceil(envelope.length / partBytes);
  if (count > MAX_QR_PARTS) throw new CourierError('TOO_LARGE_FOR_CHANNEL', `an envelope of ${envelope.length} bytes needs ${count} QR codes (at most ${MAX_QR_PARTS}); send it as a bundle`);
  return Array.from({ length: count }, (_, index) => `${QR_PREFIX}:${index + 1}/${count}:${key}:${base32Encode(envelope.subarray(index * partBytes, (index + 1) * partBytes))}`);
}

/** Reassembles the envelope from decoded code texts (any order, repeats allowed); names missing parts. */
export function readQrTexts(input: string | readonly string[]): Uint8Array {
  const tokens = (typeof input === 'string' ? input.split(/\s+/) : input.flatMap((text) => text.split(/\s+/))).map((token) => token.trim().toUpperCase()).filter((token) => token.length > 0);
  const parts = new Map<number, string>();
  let key: string | undefined;
  let count: number | undefined;
  for (const token of tokens) {
    const match = /^HQ1:([0-9]{1,3})\/([0-9]{1,3}):([0-9A-Z]{8}):([0-9A-Z]+)$/.exec(token);
    if (!match) throw new CourierError('BAD_QR', `"${token.slice(0, 40)}${token.length > 40 ? '…' : ''}" is not the text of a Herald QR code (HQ1:k/n:…)`);
    const [, k, n, id, data] = match as unknown as [string, string, string, string, string];
    if (key !== undefined && (id !== key || Number(n) !== count)) throw new CourierError('BAD_QR', 'the codes belong to more than one message: read one message at a time');
    key = id;
    count = Number(n);
    const part = Number(k);
    if (part < 1 || part > count) throw new CourierError('BAD_QR', `part ${part} of ${count} does not exist`);
    const earlier = parts.get(part);
    if (earlier !== undefined && earlier !== data) throw new CourierError('BAD_QR', `part ${part} was read twice, differently: scan it again`);
    parts.set(part, data);
  }
  if (key === undefined || count === undefined) throw new CourierError('BAD_QR', 'no Herald QR code text in the input');
  const missing = Array.from({ length: count }, (_, index) => index + 1).filter((part) => !parts.has(part));
  if (missing.length > 0) throw new CourierError('BAD_QR', `missing part${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${count}`);
  const chunks = Array.from({ length: count }, (_, index) => base32Decode(parts.get(index + 1) ?? ''));
  const bad = chunks.findIndex((chunk) => chunk === undefined);
  if (bad >= 0) throw new CourierError('BAD_QR', `part ${bad + 1} is not valid base32`);
  const envelope = new Uint8Array(Buffer.concat(chunks as Uint8Array[]));
  if (messageKey(envelope) !== key) throw new CourierError('BAD_QR', 'the reassembled codes do not match their check: a part is damaged or from another message');
  return envelope;
}
