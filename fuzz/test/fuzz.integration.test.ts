import { describe, expect, it } from 'vitest';
import { open } from '@herald/core';
import { fuzzEnvelopes } from '../src/envelope/fuzz-envelopes.js';
import { mutate } from '../src/mutate.js';
import { freshSeed, prng } from '../src/prng.js';
import { fuzzRelay } from '../src/relay/fuzz-relay.js';

/**
 * The short version of `pnpm fuzz` that CI runs: tens of thousands of mutated
 * envelopes through `open`, a few thousand mutated relay frames and MQTT
 * packets against a real relay process. A failure prints the seed that replays it.
 */
const seed = freshSeed();
const outcomes = (counts: Map<string, number>): string[] => [...counts.keys()];

describe(`pnpm fuzz, short (HERALD_FUZZ_SEED=${seed})`, () => {
  it('the same seed makes the same mutations', () => {
    const input = new Uint8Array(64).map((_, index) => index);
    const run = (value: number): string[] => {
      const random = prng(value);
      return Array.from({ length: 50 }, () => Buffer.from(mutate(input, random).bytes).toString('hex'));
    };
    expect(run(seed)).toEqual(run(seed));
    expect(run(seed)).not.toEqual(run(seed + 1));
  });

  it('the same seed and clock replay the same envelope run: keys, seed envelopes and mutations', async () => {
    const nowMs = Date.now();
    const run = async () => [...(await fuzzEnvelopes({ count: 2000, seed, nowMs, hangMs: 1000, maxGrowthBytes: 128 * 2 ** 20 })).counts].sort();
    expect(await run()).toEqual(await run());
  });

  it('30 000 mutated envelopes: every outcome is a success or an EnvelopeError, none hangs, memory stays bounded', async () => {
    const tally = await fuzzEnvelopes({ count: 30_000, seed, hangMs: 1000, maxGrowthBytes: 128 * 2 ** 20 });
    expect(tally.report()).not.toMatch(/FAILURE/);
    expect(tally.failureCount).toBe(0);
    // The mutations reach each layer of open: the outer parse, the AEAD, the inner fields and the signature.
    expect(outcomes(tally.counts)).toEqual(expect.arrayContaining(['EnvelopeError DECRYPT_FAILED (outer)', 'EnvelopeError UNSUPPORTED_VERSION (outer)', 'EnvelopeError MALFORMED (inner)', 'EnvelopeError BAD_SIGNATURE (inner)', 'EnvelopeError MALFORMED (signed)', 'opened (signed)']));
  });

  it('catches an untyped error and keeps its input to reproduce it', async () => {
    const broken: typeof open = async (bytes, options) => {
      if (bytes.length % 7 === 3) throw new TypeError('cannot read properties of undefined');
      return open(bytes, options);
    };
    const tally = await fuzzEnvelopes({ count: 300, seed, hangMs: 1000, maxGrowthBytes: 128 * 2 ** 20, open: broken });
    expect(tally.failureCount).toBeGreaterThan(0);
    expect(tally.failures[0]).toMatchObject({ kind: 'untyped error', detail: expect.stringContaining('TypeError') });
    expect(Buffer.from(tally.failures[0]!.inputHex!, 'hex').length % 7).toBe(3);
  });

  it('catches a hang', async () => {
    let calls = 0;
    const slow: typeof open = async (bytes, options) => {
      if (++calls === 5) await new Promise((resolve) => setTimeout(resolve, 60));
      return open(bytes, options);
    };
    const tally = await fuzzEnvelopes({ count: 10, seed, hangMs: 50, maxGrowthBytes: 128 * 2 ** 20, open: slow });
    expect(tally.failures.map((failure) => failure.kind)).toContain('hang');
  });

  it('3 000 mutated relay frames and 3 000 MQTT packets: the relay lives, answers honest clients in time, stays bounded', async () => {
    const [ws, mqtt, health] = await fuzzRelay({ frames: 3000, packets: 3000, seed, hangMs: 1000 });
    for (const tally of [ws!, mqtt!, health!]) expect(tally.report()).not.toMatch(/FAILURE/);
    expect(outcomes(ws!.counts)).toEqual(expect.arrayContaining(['before AUTH: closed 4000 PROTOCOL_ERROR', 'after AUTH: closed 4000 PROTOCOL_ERROR', 'after AUTH: answered (ACCEPTED)']));
    expect(outcomes(mqtt!.counts)).toEqual(expect.arrayContaining(['MQTT before CONNACK: closed by the broker', 'MQTT after CONNACK: answered (PINGRESP)']));
    expect(health!.counts.get('probe answered in time')).toBeGreaterThan(0);
  });
});
