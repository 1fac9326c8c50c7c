import { platform } from '#platform';

/**
 * Random bytes from the platform's CSPRNG (node:crypto, or Web Crypto in a page), drawn in bulk: libsodium-wrappers' own
 * `randombytes_buf` costs about 7 µs per byte, which would dominate sealing.
 * Bytes handed out are copied and the pool slice is zeroed, so no two callers
 * ever share randomness.
 */
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let position = POOL_SIZE;

export type RandomSource = (length: number) => Uint8Array;

export const secureRandom: RandomSource = (length) => {
  if (length > POOL_SIZE / 4) {
    const out = new Uint8Array(length);
    platform.fillRandom(out);
    return out;
  }
  if (position + length > POOL_SIZE) {
    platform.fillRandom(pool);
    position = 0;
  }
  const out = pool.slice(position, position + length);
  pool.fill(0, position, position + length);
  position += length;
  return out;
};
