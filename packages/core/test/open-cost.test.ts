/**
 * Opening costs one pass, whatever the envelope says (protocol.md section 9, "The cost of opening is bounded";
 * threat model 4.1). Anyone holding the victim's public card can craft envelopes for it; none may cost the victim
 * more than twice an honest envelope of the same size. The fastest of interleaved repetitions of each: load from
 * elsewhere only ever adds time, so the minimum is each envelope's own cost (a median moved with a busy machine's
 * bursts, which fell on some cases more than on others): a bound on a ratio, not a timing assert.
 */
import { describe, expect, it } from 'vitest';
import { EnvelopeError, generateIdentity, open, seal, secureRandom, type OpenOptions } from '@herald/core';
import { headerBytes } from '../src/envelope/format.js';
import { CRAFT_PREFIX_BYTES, craftEnvelope, type CraftInit } from './craft.js';
import { bytesOf } from './helpers.js';

const BODY_BYTES = 2 * 1024 * 1024;
const WARM_UP = 2;
const REPETITIONS = 15;
const MAX_RATIO = 2;

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const mallory = generateIdentity({ label: 'Mallory' });
const options: OpenOptions = { identity: bob, contacts: [alice.card] };

/** Alice's honest envelope to Bob, padded as `seal` does by default: the yardstick. */
const honest = seal(bytesOf(BODY_BYTES), { from: alice, to: bob.card });

/** Mallory's envelope of the same total size as the honest one, with a body filling what the rest leaves. */
function crafted(init: Omit<CraftInit, 'from' | 'body'> & { readonly bodyBytes?: number }): Uint8Array {
  const fixed = headerBytes(init.entries.length) + 16 + CRAFT_PREFIX_BYTES - 32 + (init.senderField ?? mallory.card.signingPublicKey).length;
  const bodyBytes = init.bodyBytes ?? honest.length - fixed - (init.trailer?.length ?? 0);
  // Bytes under application/octet-stream (0x00), as the honest envelope's; coded text needs text/plain (craft's default 0x01).
  const contentType = init.contentType ?? ((init.meta ?? 0) & 0x10 ? undefined : Uint8Array.of(0x00));
  return craftEnvelope({ ...init, ...(contentType ? { contentType } : {}), from: mallory, body: bytesOf(bodyBytes, 7) });
}

const strangers = (count: number): Uint8Array[] => Array.from({ length: count }, () => secureRandom(16));
const zeros = (length: number): Uint8Array => new Uint8Array(length);
const markerThenZeros = (length: number): Uint8Array => {
  const padding = zeros(length);
  padding[0] = 0x80;
  return padding;
};

interface WorstCase {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** What open answers: the case is what it claims to be. */
  readonly outcome: string;
  readonly options?: Partial<OpenOptions>;
}

const flipLast = (bytes: Uint8Array): Uint8Array => {
  const copy = bytes.slice();
  copy[copy.length - 1]! ^= 1;
  return copy;
};

const worstCases: WorstCase[] = [
  { name: 'our routing tag 255 times, only the last wrap valid', bytes: crafted({ entries: [...Array<Uint8Array>(254).fill(bob.card.routingTag), bob.card] }), outcome: 'MALFORMED' },
  { name: 'our entry last of 255, valid', bytes: crafted({ entries: [...strangers(254), bob.card] }), outcome: 'OK' },
  { name: 'our entry last of 255, junk wrap', bytes: crafted({ entries: [...strangers(254), bob.card.routingTag] }), outcome: 'DECRYPT_FAILED' },
  { name: '255 entries, none ours', bytes: crafted({ entries: [...strangers(254), alice.card] }), outcome: 'NOT_FOR_ME' },
  { name: 'small-order ephemeral key', bytes: crafted({ entries: [bob.card], ephemeralOverride: zeros(32) }), outcome: 'DECRYPT_FAILED' },
  { name: 'ciphertext altered at the end', bytes: flipLast(crafted({ entries: [bob.card] })), outcome: 'DECRYPT_FAILED' },
  { name: 'valid AEAD, bad signature at the end', bytes: crafted({ entries: [bob.card], badSignature: true }), outcome: 'BAD_SIGNATURE' },
  { name: 'valid AEAD and signature, unknown full-key sender', bytes: crafted({ entries: [bob.card] }), outcome: 'OK' },
  { name: 'unknown sender under requireKnownSender', bytes: crafted({ entries: [bob.card] }), outcome: 'UNKNOWN_SENDER', options: { requireKnownSender: true } },
  { name: 'compact sender unknown', bytes: crafted({ entries: [bob.card], meta: 0x08, senderField: mallory.card.keyId }), outcome: 'UNKNOWN_SENDER' },
  { name: 'padded flag, zeros without a marker', bytes: crafted({ entries: [bob.card], meta: 0x04, bodyBytes: 1, trailer: zeros(honest.length - 54 - 16 - CRAFT_PREFIX_BYTES - 1) }), outcome: 'MALFORMED' },
  { name: 'padded flag, empty body and all padding, signature valid', bytes: crafted({ entries: [bob.card], meta: 0x04, bodyBytes: 0, trailer: markerThenZeros(honest.length - 54 - 16 - CRAFT_PREFIX_BYTES) }), outcome: 'OK' },
  { name: 'coded text far past 4 096 symbols, signature valid', bytes: crafted({ entries: [bob.card], meta: 0x10 }), outcome: 'MALFORMED' },
];

async function outcomeOf(bytes: Uint8Array, extra: Partial<OpenOptions> = {}): Promise<string> {
  try {
    await open(bytes, { ...options, ...extra });
    return 'OK';
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    return error.code;
  }
}

async function timeOf(bytes: Uint8Array, extra?: Partial<OpenOptions>): Promise<number> {
  const start = performance.now();
  await outcomeOf(bytes, extra);
  return performance.now() - start;
}

const fastest = (values: readonly number[]): number => Math.min(...values);

describe('the cost of opening', () => {
  it('every crafted case is the size of the honest envelope and gets the refusal it is built for', async () => {
    expect(await outcomeOf(honest)).toBe('OK');
    for (const worst of worstCases) {
      expect({ name: worst.name, size: worst.bytes.length, outcome: await outcomeOf(worst.bytes, worst.options) }).toEqual({ name: worst.name, size: honest.length, outcome: worst.outcome });
    }
  });

  it(`no crafted envelope costs more than ${MAX_RATIO}× opening an honest one of the same size (${BODY_BYTES / 1024 / 1024} MiB)`, { timeout: 120_000 }, async () => {
    const runs: WorstCase[] = [{ name: 'honest', bytes: honest, outcome: 'OK' }, ...worstCases];
    const times = runs.map((): number[] => []);
    for (let round = 0; round < WARM_UP + REPETITIONS; round++) {
      // Interleaved, so that load from elsewhere falls on the yardstick and the cases alike; each round starts one
      // further on, so that a garbage collection that recurs once a round does not always land on the same case.
      for (let step = 0; step < runs.length; step++) {
        const index = (round + step) % runs.length;
        const time = await timeOf(runs[index]!.bytes, runs[index]!.options);
        if (round >= WARM_UP) times[index]!.push(time);
      }
    }
    const [honestTimes, ...caseTimes] = times;
    const yardstick = fastest(honestTimes!);
    const ratios = worstCases.map((worst, index) => ({ name: worst.name, ratio: Math.round((fastest(caseTimes[index]!) / yardstick) * 100) / 100 }));
    if (process.env.HERALD_OPEN_COST_REPORT) console.log(`honest ${yardstick.toFixed(2)} ms`, ratios);
    expect(ratios.filter((entry) => entry.ratio > MAX_RATIO)).toEqual([]);
  });
});
