import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvelopeError, generateIdentity, memorySeenSet, open, sealV2 } from '@herald/core';
import { KINDS, NOW, makePrekey, resolverOf } from './helpers.js';

const alice = generateIdentity({ label: 'Alice', now: NOW });
const bob = generateIdentity({ label: 'Bob', now: NOW });
const carol = generateIdentity({ label: 'Carol', now: NOW });
const prekeys = KINDS.flatMap((kind) => [makePrekey(bob, kind), makePrekey(carol, kind)]);
const bobPrekeys = prekeys.filter((_, index) => index % 2 === 0);
const carolPrekeys = prekeys.filter((_, index) => index % 2 === 1);
const samples = KINDS.flatMap((kind, index) => [
  sealV2('short', { from: alice, to: { card: bob.card, prekey: bobPrekeys[index]!.signed }, pad: false, now: NOW }),
  sealV2(new Uint8Array(300), { from: alice, to: [{ card: carol.card, prekey: carolPrekeys[index]!.signed }, { card: bob.card, prekey: bobPrekeys[index]!.signed }], sender: 'keyId', now: NOW }),
]);
const CODES = ['MALFORMED', 'UNSUPPORTED_VERSION', 'TOO_LARGE', 'NOT_FOR_ME', 'PREKEY_GONE', 'DECRYPT_FAILED', 'BAD_SIGNATURE', 'UNKNOWN_SENDER', 'EXPIRED', 'NOT_YET_VALID', 'REPLAY'];

/** Every outcome must be an accepted message or a typed EnvelopeError with a listed code. */
async function openSafely(bytes: Uint8Array): Promise<string> {
  try {
    await open(bytes, { identity: bob, prekeys: resolverOf(...bobPrekeys), contacts: [alice.card], maxEnvelopeBytes: 8192, seen: memorySeenSet(), now: NOW });
    return 'ACCEPTED';
  } catch (error) {
    if (!(error instanceof EnvelopeError) || !CODES.includes(error.code)) throw error;
    return error.code;
  }
}

describe('v2 open under fuzzing', () => {
  it('random byte strings that start like a v2 envelope (3,000) yield only typed errors', async () => {
    const start = samples[0]!.subarray(0, 38);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 1600 }), fc.nat({ max: 38 }), async (tail, keep) => {
        const bytes = new Uint8Array(keep + tail.length);
        bytes.set(start.subarray(0, keep));
        bytes.set(tail, keep);
        if (keep === 0 && bytes.length > 0) bytes[0] = 2;
        expect(await openSafely(bytes)).not.toBe('ACCEPTED');
      }),
      { numRuns: 3_000 },
    );
  });

  it('mutated real v2 envelopes (3,000) are refused with typed errors', async () => {
    for (const sample of samples) expect(await openSafely(sample)).toBe('ACCEPTED');
    const mutation = fc.record({
      sample: fc.nat({ max: samples.length - 1 }),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'xor', 'insert', 'delete')), { minLength: 1, maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ sample, edits }) => {
        const bytes = Array.from(samples[sample]!);
        const original = bytes.join(',');
        for (const [position, value, op] of edits) {
          const at = position % (bytes.length + 1);
          if (op === 'set' && at < bytes.length) bytes[at] = value;
          else if (op === 'xor' && at < bytes.length) bytes[at] = bytes[at]! ^ value;
          else if (op === 'insert') bytes.splice(at, 0, value);
          else if (op === 'delete' && at < bytes.length) bytes.splice(at, 1);
        }
        if (bytes.join(',') === original) return;
        expect(await openSafely(Uint8Array.from(bytes))).not.toBe('ACCEPTED');
      }),
      { numRuns: 3_000 },
    );
  });
});
