import type { Prng } from './prng.js';

/** Values that sit on the edges parsers get wrong: zero, one, sign bits, all ones. */
const EDGE_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff] as const;
const EDGE_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff] as const;

export type MutationName = 'bitFlip' | 'byteSet' | 'truncate' | 'extend' | 'splice' | 'deleteRange' | 'duplicateRange' | 'lengthEdit' | 'random';

export interface Mutated {
  readonly bytes: Uint8Array;
  readonly mutation: MutationName;
}

function withLength(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(bytes.subarray(0, Math.min(length, bytes.length)));
  return out;
}

/** A range of up to `longest` bytes inside `bytes` (empty at the very end). */
function range(bytes: Uint8Array, random: Prng, longest: number): [number, number] {
  const start = random.below(bytes.length + 1);
  return [start, Math.min(bytes.length, start + 1 + random.below(longest))];
}

const MUTATIONS: Record<MutationName, (bytes: Uint8Array, random: Prng, donors: readonly Uint8Array[]) => Uint8Array> = {
  bitFlip(bytes, random) {
    const out = bytes.slice();
    const flips = 1 + random.below(4);
    for (let flip = 0; flip < flips && out.length > 0; flip++) out[random.below(out.length)]! ^= 1 << random.below(8);
    return out;
  },
  byteSet(bytes, random) {
    const out = bytes.slice();
    if (out.length > 0) out[random.below(out.length)] = random.chance(0.5) ? random.pick(EDGE_BYTES) : random.next() & 0xff;
    return out;
  },
  truncate: (bytes, random) => bytes.slice(0, random.below(bytes.length + 1)),
  extend(bytes, random) {
    const extra = random.chance(0.8) ? 1 + random.below(64) : 1 + random.below(4096);
    const out = withLength(bytes, bytes.length + extra);
    if (random.chance(0.5)) out.set(random.bytes(extra), bytes.length);
    return out;
  },
  /** The head of this input followed by the tail of another: realistic pieces in unrealistic places. */
  splice(bytes, random, donors) {
    const donor = donors.length > 0 ? random.pick(donors) : bytes;
    const cut = random.below(bytes.length + 1);
    const from = random.below(donor.length + 1);
    const out = new Uint8Array(cut + donor.length - from);
    out.set(bytes.subarray(0, cut));
    out.set(donor.subarray(from), cut);
    return out;
  },
  deleteRange(bytes, random) {
    const [start, end] = range(bytes, random, 32);
    const out = new Uint8Array(bytes.length - (end - start));
    out.set(bytes.subarray(0, start));
    out.set(bytes.subarray(end), start);
    return out;
  },
  duplicateRange(bytes, random) {
    const [start, end] = range(bytes, random, 64);
    const out = new Uint8Array(bytes.length + (end - start));
    out.set(bytes.subarray(0, end));
    out.set(bytes.subarray(start), end);
    return out;
  },
  /** An edge value written as a 1-, 2- or 4-byte big-endian integer somewhere: lengths and counts live in such fields. */
  lengthEdit(bytes, random) {
    const out = bytes.slice();
    const width = random.pick([1, 2, 4] as const);
    if (out.length < width) return out;
    const at = random.below(out.length - width + 1);
    const value = random.pick(EDGE_U32);
    for (let index = 0; index < width; index++) out[at + index] = (value >>> (8 * (width - 1 - index))) & 0xff;
    return out;
  },
  random: (_bytes, random) => random.bytes(random.below(random.chance(0.9) ? 256 : 8192)),
};

const NAMES = Object.keys(MUTATIONS) as MutationName[];

/** One to three stacked mutations of `bytes`; `donors` feed splices. */
export function mutate(bytes: Uint8Array, random: Prng, donors: readonly Uint8Array[] = []): Mutated {
  let out = bytes;
  let mutation: MutationName = 'bitFlip';
  const rounds = 1 + (random.chance(0.25) ? random.below(3) : 0);
  for (let round = 0; round < rounds; round++) {
    mutation = random.pick(NAMES);
    out = MUTATIONS[mutation](out, random, donors);
  }
  return { bytes: out, mutation };
}

/** The field at `offset` (e.g. a recipient count) set to an edge or random value. */
export function setByte(bytes: Uint8Array, offset: number, random: Prng): Uint8Array {
  const out = bytes.slice();
  if (offset < out.length) out[offset] = random.chance(0.5) ? random.pick(EDGE_BYTES) : random.next() & 0xff;
  return out;
}
