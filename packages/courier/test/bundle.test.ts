import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateIdentity, seal } from '@herald/core';
import { CourierError, decodeBundle, encodeBundle } from '../src/index.js';

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const envelopes = [seal('one', { from: alice, to: bob.card }), seal('two', { from: bob, to: alice.card }), seal(new Uint8Array(5000), { from: alice, to: bob.card })];

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CourierError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('courier bundles', () => {
  it('round-trips envelopes and the creation time', () => {
    const bytes = encodeBundle(envelopes, { now: 1_700_000_000_000 });
    const decoded = decodeBundle(bytes);
    expect(decoded.created.getTime()).toBe(1_700_000_000_000);
    expect(decoded.envelopes.map((envelope) => Buffer.from(envelope).toString('hex'))).toEqual(envelopes.map((envelope) => Buffer.from(envelope).toString('hex')));
    expect(decodeBundle(encodeBundle([])).envelopes).toEqual([]);
  });

  it('refuses every truncation as TRUNCATED_BUNDLE', () => {
    const bytes = encodeBundle(envelopes);
    for (const length of [0, 3, 8, 20, 26, 30, 500, bytes.length - 33, bytes.length - 1]) {
      expect(codeOf(() => decodeBundle(bytes.subarray(0, length))), `cut at ${length}`).toBe(length === 0 ? 'TRUNCATED_BUNDLE' : 'TRUNCATED_BUNDLE');
    }
  });

  it('property: any flipped byte is refused (BAD_BUNDLE or TRUNCATED_BUNDLE), never half-read', () => {
    const bytes = encodeBundle(envelopes);
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (offset, flip) => {
        const tampered = new Uint8Array(bytes);
        tampered[offset] = (tampered[offset] ?? 0) ^ flip;
        expect(['BAD_BUNDLE', 'TRUNCATED_BUNDLE']).toContain(codeOf(() => decodeBundle(tampered)));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses trailing bytes, other files, another version and non-envelope entries', () => {
    const bytes = encodeBundle(envelopes);
    expect(codeOf(() => decodeBundle(new Uint8Array([...bytes, 0])))).toBe('BAD_BUNDLE');
    expect(codeOf(() => decodeBundle(new TextEncoder().encode('-----BEGIN HERALD ENVELOPE-----')))).toBe('BAD_BUNDLE');
    const other = new Uint8Array(bytes);
    other[8] = 2;
    expect(codeOf(() => decodeBundle(other))).toBe('BAD_BUNDLE');
    expect(codeOf(() => decodeBundle(encodeBundle([new Uint8Array([1, 2, 3])])))).toBe('BAD_BUNDLE');
  });

  it('reports progress while checking', () => {
    const seen: string[] = [];
    decodeBundle(encodeBundle(envelopes), { onProgress: (done, total, phase) => seen.push(`${phase} ${done}/${total}`) });
    expect(seen.length).toBeGreaterThan(0);
  });
});
