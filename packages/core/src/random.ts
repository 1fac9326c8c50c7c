import { randomFillSync } from 'node:crypto';

/**
 * Random bytes from node's CSPRNG, drawn in bulk: libsodium-wrappers' own
 * `randombytes_buf` costs about 7 µs per byte, which would dominate sealing.
 * Bytes handed out are copied and the pool slice is zeroed, so no two callers
 * ever share randomness.
 */
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let position = POOL_SIZE;

export type RandomSource = (length: number) => Uint8Array;

export const secureRandom: RandomSource = (length) => {
  if (length > POOL_SIZE / 4) return randomFillSync(new Uint8Array(length));
  if (position + length > POOL_SIZE) {
    randomFillSync(pool);
    position = 0;
  }
  const out = pool.slice(position, position + length);
  pool.fill(0, position, position + length);
  position += length;
  return out;
};
