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
      expect(codeOf(() => decodeBundle(bytes.subarray(0, length))), `cut at ${length}`).toBe('TRUNCATED_BUNDLE');
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

  it('reports progress on a large bundle, rising to the end of each phase', () => {
    // 2,500 entries over 9 MiB: several checksum steps (4 MiB each) and parse reports (every 1,000 entries).
    const big = seal(new Uint8Array(9 * 1024 * 1024), { from: alice, to: bob.card, pad: false });
    const many = [big, ...Array.from({ length: 2499 }, (_, index) => envelopes[index % 2]!)];
    const bytes = encodeBundle(many);
    const seen: Record<string, number[]> = { checking: [], parsing: [] };
    const totals = new Set<string>();
    decodeBundle(bytes, { onProgress: (done, total, phase) => { seen[phase]!.push(done); totals.add(`${phase} ${total}`); } });
    expect([...totals].sort()).toEqual([`checking ${bytes.length - 32}`, 'parsing 2500']);
    expect(seen.checking).toEqual([...seen.checking!].sort((a, b) => a - b));
    expect(seen.checking!.length).toBeGreaterThanOrEqual(3);
    expect(seen.checking!.at(-1)).toBe(bytes.length - 32);
    expect(seen.parsing).toEqual([1000, 2000, 2500]);
  });
});
