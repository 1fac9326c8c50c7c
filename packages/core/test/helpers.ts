import { fromHex, type RandomSource } from '@herald/core';

/** Replays fixed bytes as the "random" source, for test vectors; fails loudly if more is consumed than given. */
export function scriptedRandom(...chunksHex: string[]): RandomSource & { readonly remaining: () => number } {
  const queue = chunksHex.map((hex) => fromHex(hex));
  const source = (length: number): Uint8Array => {
    const next = queue.shift();
    if (!next || next.length !== length) throw new Error(`scripted random: asked for ${length} bytes, next chunk has ${next?.length ?? 0}`);
    return next;
  };
  return Object.assign(source, { remaining: () => queue.length });
}

export async function expectCode(promise: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    const actual = (error as { code?: string }).code;
    if (actual !== code) throw new Error(`expected error code ${code}, got ${String(actual)}: ${String(error)}`);
    return;
  }
  throw new Error(`expected error code ${code}, but nothing was thrown`);
}

export function bytesOf(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed;
  for (let index = 0; index < length; index++) {
    // A cheap deterministic filler (not randomness for crypto): payload content only.
    state = (state * 1103515245 + 12345) >>> 0;
    out[index] = state >>> 24;
  }
  return out;
}
