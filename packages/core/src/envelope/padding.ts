/**
 * Length padding. The inner plaintext is padded (ISO/IEC 7816-4: 0x80 then
 * zeros) up to a bucket so the ciphertext length reveals only the bucket:
 * powers of two from 256 B to 16 KiB, then Padmé (at most 12 % overhead, leaks
 * O(log log L) bits) above that.
 */
export const MIN_BUCKET = 256;
const POWER_OF_TWO_LIMIT = 16 * 1024;

export function padmeLength(length: number): number {
  if (length <= 2) return length;
  const exponent = Math.floor(Math.log2(length));
  const bitsOfExponent = Math.floor(Math.log2(exponent)) + 1;
  const lastBits = exponent - bitsOfExponent;
  const mask = 2 ** lastBits - 1;
  return Math.ceil(length / (mask + 1)) * (mask + 1);
}

/** The padded size for an inner part of `length` bytes plus its one marker byte. */
export function bucketLength(length: number): number {
  const needed = length + 1;
  if (needed <= MIN_BUCKET) return MIN_BUCKET;
  if (needed <= POWER_OF_TWO_LIMIT) return 2 ** Math.ceil(Math.log2(needed));
  return padmeLength(needed);
}

/** Index just past the content, or -1 when the padding is not 0x80 followed by zeros only. */
export function unpaddedLength(padded: Uint8Array): number {
  for (let index = padded.length - 1; index >= 0; index--) {
    const byte = padded[index];
    if (byte === 0x80) return index;
    if (byte !== 0) return -1;
  }
  return -1;
}
