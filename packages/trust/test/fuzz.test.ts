import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyError, generateIdentity } from '@herald/core';
import { TrustError } from '@herald/trust';
import { createRotation, decodeCertificate, decodeChain, decodeRevocationList, decodeRotation, encodeChain, fingerprintBytes, issueRevocationList, parseChain, unwrapCertified, wrapCertified } from '@herald/trust';
import { organisation } from './helpers.js';

const org = organisation();
const alice = org.member('Alice', org.office, [org.officeCert]);
const samples = {
  certificate: alice.chain[0]!.bytes,
  chain: encodeChain(alice.chain),
  list: issueRevocationList({ issuer: org.root, serial: 3, entries: [{ fingerprint: fingerprintBytes(alice.identity.card.signingPublicKey), reason: 'lost' }, { fingerprint: fingerprintBytes(org.office.card.signingPublicKey) }] }).bytes,
  rotation: createRotation(alice.identity, generateIdentity({ label: 'Alice' })).bytes,
  wrapper: wrapCertified(alice.chain, 'text/plain; charset=utf-8', new TextEncoder().encode('hello')),
};
const parsers: Record<keyof typeof samples, (bytes: Uint8Array) => unknown> = {
  certificate: decodeCertificate,
  chain: (bytes) => decodeChain(bytes),
  list: decodeRevocationList,
  rotation: decodeRotation,
  wrapper: unwrapCertified,
};
const kinds = Object.keys(samples) as (keyof typeof samples)[];

/** The parsers may accept the original bytes and nothing else they were not given; every refusal is typed. */
function outcome(kind: keyof typeof samples, bytes: Uint8Array): string {
  try {
    parsers[kind](bytes);
    return 'ACCEPTED';
  } catch (error) {
    if (error instanceof TrustError || error instanceof KeyError) return error.code;
    throw error;
  }
}

describe('trust parsers under fuzzing (typed errors only)', () => {
  it('every single-bit flip of every sample is refused', () => {
    for (const kind of kinds) {
      const original = samples[kind];
      // Chains and wrappers are certificates in framing: every bit of the framing, a stride through the rest.
      const step = kind === 'chain' || kind === 'wrapper' ? 7 : 1;
      for (let bit = 0; bit < original.length * 8; bit += bit < 48 ? 1 : step) {
        const bytes = original.slice();
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        // The chain and wrapper lengths are u16/u8 prefixes: a flip there may still parse a prefix, never the same content.
        const result = outcome(kind, bytes);
        if (kind === 'wrapper' && result === 'ACCEPTED') {
          // Only the inner content type and body after the chain may change and still parse: the envelope signature, not the wrapper, covers them.
          expect(bit >> 3).toBeGreaterThanOrEqual(1 + samples.chain.length);
        } else expect(result, `${kind} bit ${bit}`).not.toBe('ACCEPTED');
      }
    }
  });

  it('random mutations (3,000) and random bytes (3,000) give typed errors', () => {
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 5 }), fc.option(fc.nat(), { nil: undefined }), (kind, edits, cut) => {
        const bytes = [...samples[kind]];
        for (const [position, value, edit] of edits) {
          const at = position % (bytes.length + 1);
          if (edit === 'insert') bytes.splice(at, 0, value);
          else if (at < bytes.length) edit === 'delete' ? bytes.splice(at, 1) : (bytes[at] = value);
        }
        if (cut !== undefined) bytes.length = Math.min(bytes.length, cut % (bytes.length + 1));
        outcome(kind, Uint8Array.from(bytes));
      }),
      { numRuns: 3_000 },
    );
    fc.assert(fc.property(fc.constantFrom(...kinds), fc.uint8Array({ maxLength: 600 }), (kind, bytes) => {
      expect(outcome(kind, bytes)).not.toBe("ACCEPTED");
    }), { numRuns: 3_000 });
  });

  it('certificate text files with junk give typed errors', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          parseChain(text);
        } catch (error) {
          expect(error).toBeInstanceOf(TrustError);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
