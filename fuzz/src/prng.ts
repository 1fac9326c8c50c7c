import { randomInt } from 'node:crypto';

/**
 * A seeded, replayable pseudo-random generator (sfc32) for choosing mutations.
 * Not for secrets: it only decides which byte to flip, so that a failing run
 * replays exactly from its printed seed. Key material comes from libsodium.
 */
export interface Prng {
  readonly seed: number;
  /** A uniform 32-bit unsigned integer. */
  next(): number;
  /** An integer in [0, bound). */
  below(bound: number): number;
  /** True with probability `chance`. */
  chance(chance: number): boolean;
  pick<T>(items: readonly T[]): T;
  bytes(length: number): Uint8Array;
}

/** A fresh seed from the OS CSPRNG, printed by the tools so the run can be replayed. */
export const freshSeed = (): number => randomInt(0, 2 ** 32 - 1);

export function prng(seed: number): Prng {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let round = 0; round < 16; round++) next();
  const below = (bound: number): number => (bound <= 1 ? 0 : Math.floor((next() / 2 ** 32) * bound));
  return {
    seed: seed >>> 0,
    next,
    below,
    chance: (chance) => next() / 2 ** 32 < chance,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick: no items');
      return items[below(items.length)]!;
    },
    bytes(length) {
      const out = new Uint8Array(length);
      for (let index = 0; index < length; index++) out[index] = next() & 0xff;
      return out;
    },
  };
}
