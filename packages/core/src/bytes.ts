/** Small byte helpers shared by the encoders. Big-endian throughout, as the wire format is. */
import { platform } from '#platform';
import { removeWhitespace } from './whitespace.js';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/** Strict UTF-8 decoding: throws TypeError on invalid sequences. */
export function fromUtf8(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Big-endian u32, as DataView's setUint32 writes it (value taken modulo 2³²), without a DataView per call: every frame and envelope passes here. */
export function writeU32(target: Uint8Array, offset: number, value: number): void {
  if (!(offset >= 0 && offset + 4 <= target.length)) throw new RangeError(`offset ${offset} is outside the ${target.length} bytes`);
  target[offset] = value >>> 24;
  target[offset + 1] = value >>> 16;
  target[offset + 2] = value >>> 8;
  target[offset + 3] = value;
}

/** Big-endian u32, as DataView's getUint32 reads it. */
export function readU32(source: Uint8Array, offset: number): number {
  if (!(offset >= 0 && offset + 4 <= source.length)) throw new RangeError(`offset ${offset} is outside the ${source.length} bytes`);
  return source[offset]! * 0x1000000 + ((source[offset + 1]! << 16) | (source[offset + 2]! << 8) | source[offset + 3]!);
}

export function toHex(bytes: Uint8Array): string {
  return platform.toHex(bytes);
}

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new TypeError('not an even-length hex string');
  return platform.fromHex(hex);
}

export function toBase64Url(bytes: Uint8Array): string {
  return platform.toBase64(bytes, true);
}

/** Strict base64url (no padding, no whitespace); throws TypeError on anything else. */
export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new TypeError('not base64url');
  const bytes = platform.fromBase64(text, true);
  // Only the canonical form (zero trailing bits): one byte string, one text.
  if (toBase64Url(bytes) !== text) throw new TypeError('not canonical base64url');
  return bytes;
}

export function toBase64(bytes: Uint8Array): string {
  return platform.toBase64(bytes, false);
}

/**
 * Strict standard base64 (docs/protocol.md section 1): whitespace (whitespace.ts)
 * ignored anywhere; `=` padding either absent or exactly what completes the
 * last group of four; zero bits in the unused low bits of the last character,
 * so every byte string has one text. Throws TypeError on anything else.
 */
export function fromBase64(text: string): Uint8Array {
  const compact = removeWhitespace(text);
  const data = compact.replace(/=+$/, '');
  const padding = compact.length - data.length;
  if (!/^[A-Za-z0-9+/]*$/.test(data) || data.length % 4 === 1) throw new TypeError('not base64');
  if (padding > 0 && padding !== (4 - (data.length % 4)) % 4) throw new TypeError('base64 padding does not complete the last group');
  const bytes = platform.fromBase64(data, false);
  if (toBase64(bytes).replace(/=+$/, '') !== data) throw new TypeError('not canonical base64 (unused bits are not zero)');
  return bytes;
}
