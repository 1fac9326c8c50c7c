import { CROCKFORD_ALPHABET, KeyError, crockfordNormalize } from '@herald/core';
import { FINGERPRINT_DOMAIN } from './domains.js';
import { sodium } from './sodium.js';

/**
 * A fingerprint as 16 bytes: the 125 bits people read aloud (core's fingerprint,
 * docs/protocol.md section 5.1) with the 3 unused low bits of the last byte zero.
 * Revocation lists name keys this way, because an authority revoking a lost
 * device may hold only the fingerprint someone read out, not the card.
 */
export const FINGERPRINT_BYTES = 16;

export function fingerprintBytes(signingPublicKey: Uint8Array): Uint8Array {
  const hash = sodium.crypto_generichash(32, signingPublicKey, FINGERPRINT_DOMAIN);
  const out = hash.slice(0, FINGERPRINT_BYTES);
  out[15] = (out[15] ?? 0) & 0xf8;
  return out;
}

/** Parses a typed fingerprint (any case, spaces, hyphens, I/L/O) into its 16 bytes. Throws BAD_FINGERPRINT. */
export function fingerprintFromText(typed: string): Uint8Array {
  const normalized = crockfordNormalize(typed);
  if (normalized === undefined || normalized.length !== 25) throw new KeyError('BAD_FINGERPRINT', `not a fingerprint (25 Crockford base32 characters): ${JSON.stringify(typed).slice(0, 80)}`);
  const out = new Uint8Array(FINGERPRINT_BYTES);
  let buffer = 0;
  let held = 0;
  let index = 0;
  for (const char of normalized) {
    buffer = (buffer << 5) | CROCKFORD_ALPHABET.indexOf(char);
    held += 5;
    if (held >= 8) {
      held -= 8;
      out[index++] = (buffer >>> held) & 0xff;
      buffer &= (1 << held) - 1;
    }
  }
  // 125 bits: 15 whole bytes, then 5 bits in the top of the last.
  out[15] = (buffer << (8 - held)) & 0xf8;
  return out;
}

/** The five-groups-of-five text of 16 fingerprint bytes. */
export function fingerprintText(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let held = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    held += 8;
    while (held >= 5 && out.length < 25) {
      held -= 5;
      out += CROCKFORD_ALPHABET[(buffer >>> held) & 31];
    }
    buffer &= (1 << held) - 1;
  }
  return out.replace(/(.{5})(?=.)/g, '$1 ');
}
