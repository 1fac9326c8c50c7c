import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvelopeError, generateIdentity, memorySeenSet, open, seal } from '@herald/core';

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const carol = generateIdentity({ label: 'Carol' });
const samples = [
  seal('short', { from: alice, to: bob.card, pad: false }),
  seal('padded', { from: alice, to: bob.card }),
  seal(new Uint8Array(300), { from: alice, to: [carol.card, bob.card], sender: 'keyId' }),
];
const CODES = ['MALFORMED', 'UNSUPPORTED_VERSION', 'TOO_LARGE', 'NOT_FOR_ME', 'DECRYPT_FAILED', 'BAD_SIGNATURE', 'UNKNOWN_SENDER', 'EXPIRED', 'NOT_YET_VALID', 'REPLAY'];

/** Every outcome must be an accepted message or a typed EnvelopeError with a listed code. */
async function openSafely(bytes: Uint8Array): Promise<string> {
  try {
    await open(bytes, { identity: bob, contacts: [alice.card], maxEnvelopeBytes: 4096, seen: memorySeenSet() });
    return 'ACCEPTED';
  } catch (error) {
    if (!(error instanceof EnvelopeError) || !CODES.includes(error.code)) throw error;
    return error.code;
  }
}

const mutation = fc.record({
  sample: fc.nat({ max: samples.length - 1 }),
  edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'xor', 'insert', 'delete')), { minLength: 1, maxLength: 6 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
});

describe('open under fuzzing', () => {
  it('random byte strings (5,000) yield only typed errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
        expect(await openSafely(bytes)).not.toBe('ACCEPTED');
      }),
      { numRuns: 5_000 },
    );
  });

  it('random byte strings that start like a v1 envelope to Bob (2,000) yield only typed errors', async () => {
    const prefix = samples[0]!.subarray(0, 54);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (tail) => {
        const bytes = new Uint8Array(prefix.length + tail.length);
        bytes.set(prefix);
        bytes.set(tail, prefix.length);
        expect(await openSafely(bytes)).not.toBe('ACCEPTED');
      }),
      { numRuns: 2_000 },
    );
  });

  it('mutated real envelopes (5,000) are refused with typed errors', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async ({ sample, edits, cut }) => {
        const original = samples[sample]!;
        const bytes = [...original];
        for (const [position, value, kind] of edits) {
          const at = position % (bytes.length + 1);
          if (kind === 'insert') {
            bytes.splice(at, 0, value);
          } else if (at < bytes.length) {
            if (kind === 'delete') bytes.splice(at, 1);
            else bytes[at] = kind === 'set' ? value : bytes[at]! ^ value;
          }
        }
        if (cut !== undefined && cut % (bytes.length + 1) < bytes.length) {
          bytes.length = cut % (bytes.length + 1);
        }
        const mutated = Uint8Array.from(bytes);
        const outcome = await openSafely(mutated);
        if (!Buffer.from(mutated).equals(Buffer.from(original))) expect(outcome).not.toBe('ACCEPTED');
      }),
      { numRuns: 5_000 },
    );
  });
});
