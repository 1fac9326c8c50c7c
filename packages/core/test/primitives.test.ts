import { describe, expect, it } from 'vitest';
import { crockfordEncode, crockfordNormalize, memorySeenSet, bucketLength } from '@herald/core';
import { padmeLength, unpaddedLength } from '../src/envelope/padding.js';
import { expectCode } from './helpers.js';

describe('Crockford base32', () => {
  it('encodes bits most significant first', () => {
    expect(crockfordEncode(Uint8Array.of(0xff), 5)).toBe('Z');
    expect(crockfordEncode(Uint8Array.of(0x00, 0x44), 16)).toBe('0120');
    expect(crockfordEncode(new Uint8Array(5).fill(0xff))).toBe('ZZZZZZZZ');
  });
  it('normalises what people type', () => {
    expect(crockfordNormalize('ab-cd efo il')).toBe('ABCDEF011');
    expect(crockfordNormalize('ABU')).toBeUndefined();
  });
});

describe('padding buckets', () => {
  it('uses 256 B minimum, powers of two to 16 KiB, Padmé above', () => {
    expect(bucketLength(0)).toBe(256);
    expect(bucketLength(255)).toBe(256);
    expect(bucketLength(256)).toBe(512);
    expect(bucketLength(1000)).toBe(1024);
    expect(bucketLength(16383)).toBe(16384);
    expect(bucketLength(16384)).toBe(padmeLength(16385));
    for (const length of [20_000, 100_000, 1_000_000, 16 * 1024 * 1024]) {
      const bucket = bucketLength(length);
      expect(bucket).toBeGreaterThan(length);
      expect(bucket / length).toBeLessThan(1.12);
    }
  });
  it('strips only well-formed padding', () => {
    expect(unpaddedLength(Uint8Array.of(1, 2, 0x80, 0, 0))).toBe(2);
    expect(unpaddedLength(Uint8Array.of(1, 2, 0, 0))).toBe(-1);
    expect(unpaddedLength(Uint8Array.of(1, 0x80, 3))).toBe(-1);
  });
});

describe('memory seen-set', () => {
  it('reports new and repeated ids, forgets expired ones, and fails closed when full', async () => {
    let now = 1000;
    const seen = memorySeenSet({ maxEntries: 2, now: () => now });
    expect(seen.add('a', 2000)).toBe(true);
    expect(seen.add('a', 2000)).toBe(false);
    expect(seen.add('b', 5000)).toBe(true);
    await expectCode(() => seen.add('c', 5000), 'CAPACITY_EXCEEDED');
    now = 3000;
    expect(seen.add('c', 5000)).toBe(true);
    await expectCode(() => seen.add('d', 9000), 'CAPACITY_EXCEEDED');
    now = 6000;
    expect(seen.add('a', 9000)).toBe(true);
  });
});
