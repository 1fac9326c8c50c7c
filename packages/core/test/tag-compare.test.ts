/**
 * Threat model section 8: routing tags are compared with sodium_memcmp (`constantTimeEqual`), and every entry is
 * compared, not just those up to ours, so the time taken does not tell where our entry sits. In a file of its own:
 * the module mock below counts the comparisons for every importer of core's sodium module.
 */
import { describe, expect, it, vi } from 'vitest';
import { generateIdentity, open, secureRandom } from '@herald/core';
import { constantTimeEqual } from '../src/sodium.js';
import { craftEnvelope } from './craft.js';

vi.mock('../src/sodium.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/sodium.js')>();
  return { ...original, constantTimeEqual: vi.fn(original.constantTimeEqual) };
});

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const strangers = (count: number): Uint8Array[] => Array.from({ length: count }, () => secureRandom(16));

describe('routing tag comparison in open', () => {
  for (const [where, entries] of [
    ['first', [bob.card, ...strangers(254)]],
    ['in the middle', [...strangers(100), bob.card, ...strangers(154)]],
    ['last', [...strangers(254), bob.card]],
  ] as const) {
    it(`compares all 255 tags in constant time when ours is ${where}`, async () => {
      const envelope = craftEnvelope({ from: alice, entries, body: new Uint8Array(10) });
      const compare = vi.mocked(constantTimeEqual);
      compare.mockClear();
      await open(envelope, { identity: bob });
      expect(compare).toHaveBeenCalledTimes(255);
      for (const [, ours] of compare.mock.calls) expect(ours).toBe(bob.card.routingTag);
    });
  }
});
