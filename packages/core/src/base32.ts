/**
 * Crockford base32: digits and capital letters without I, L, O and U, so that a
 * fingerprint read aloud or copied by hand has no look-alike characters.
 */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Encodes the first `bits` bits of `bytes` (most significant bit first) as ceil(bits/5) characters. */
export function crockfordEncode(bytes: Uint8Array, bits = bytes.length * 8): string {
  if (bits > bytes.length * 8) throw new RangeError('more bits requested than bytes hold');
  let out = '';
  let buffer = 0;
  let held = 0;
  let consumed = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    held += 8;
    while (held >= 5 && consumed < bits) {
      held -= 5;
      out += CROCKFORD_ALPHABET[(buffer >>> held) & 31];
      consumed += 5;
    }
    buffer &= (1 << held) - 1;
    if (consumed >= bits) break;
  }
  if (consumed < bits && held > 0) out += CROCKFORD_ALPHABET[(buffer << (5 - held)) & 31];
  return out;
}

/**
 * Normalises what a person typed: case-insensitive, I and L read as 1, O as 0,
 * spaces and hyphens ignored. Returns undefined when any other character appears.
 */
export function crockfordNormalize(text: string): string | undefined {
  const compact = text.toUpperCase().replace(/[\s-]+/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  for (const char of compact) if (!CROCKFORD_ALPHABET.includes(char)) return undefined;
  return compact;
}
