import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePrekeyBundle, encodePrekeyBundle, generateIdentity, generatePrekeys, parsePrekeyBundle, PrekeyError, toHex, verifyPrekeyBundle } from '@herald/core';

const NOW = 1_800_000_000_000;
const alice = generateIdentity({ label: 'Alice', now: NOW });
const prekeys = [...generatePrekeys(alice, { kind: 'x25519', count: 2, now: NOW }), ...generatePrekeys(alice, { now: NOW })].map((owned) => owned.prekey);
const original = encodePrekeyBundle({ owner: alice.card.signingPublicKey, prekeys });

/** Decode then verify: 'ACCEPTED' or the PrekeyError code; anything else fails the test. */
function checkSafely(bytes: Uint8Array): string {
  try {
    verifyPrekeyBundle(decodePrekeyBundle(bytes), alice.card, { now: NOW });
    return 'ACCEPTED';
  } catch (error) {
    if (!(error instanceof PrekeyError) || !['BAD_PREKEY', 'PREKEY_EXPIRED'].includes(error.code)) throw error;
    return error.code;
  }
}

describe('prekey bundles under fuzzing', () => {
  it('random byte strings (3,000), and random text, yield only typed errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(checkSafely(bytes)).not.toBe('ACCEPTED');
      }),
      { numRuns: 3_000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(() => parsePrekeyBundle(text)).toThrow(PrekeyError);
      }),
      { numRuns: 1_000 },
    );
  });

  it('mutations of a valid bundle (2,000) are refused with a typed error unless they change nothing', () => {
    const mutation = fc.array(fc.tuple(fc.nat({ max: original.length }), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(mutation, (edits) => {
        const bytes = [...original];
        for (const [position, value, kind] of edits) {
          const at = position % (bytes.length + 1);
          if (kind === 'set' && at < bytes.length) bytes[at] = value;
          else if (kind === 'insert') bytes.splice(at, 0, value);
          else bytes.splice(at, 1);
        }
        const mutated = Uint8Array.from(bytes);
        if (checkSafely(mutated) === 'ACCEPTED') expect(toHex(mutated)).toBe(toHex(original));
      }),
      { numRuns: 2_000 },
    );
  });
});
