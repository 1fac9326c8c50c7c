import { CROCKFORD_ALPHABET, crockfordEncode } from '@herald/core';

/** Crockford base32 of whole bytes (core's encoder), and its strict inverse. */
export function base32Encode(bytes: Uint8Array): string {
  return crockfordEncode(bytes);
}

/** Decodes canonical Crockford base32 (upper case; I/L read as 1, O as 0); undefined on anything else. */
export function base32Decode(text: string): Uint8Array | undefined {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let held = 0;
  let index = 0;
  for (const raw of text) {
    const char = raw === 'I' || raw === 'L' ? '1' : raw === 'O' ? '0' : raw;
    const value = CROCKFORD_ALPHABET.indexOf(char);
    if (value < 0) return undefined;
    buffer = ((buffer << 5) | value) & 0xffff;
    held += 5;
    if (held >= 8) {
      held -= 8;
      out[index++] = (buffer >>> held) & 0xff;
    }
  }
  // Leftover bits must be zero padding, so each byte string has exactly one text.
  if (held >= 5 || (buffer & ((1 << held) - 1)) !== 0) return undefined;
  return out;
}
