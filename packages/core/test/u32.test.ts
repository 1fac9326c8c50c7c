import { describe, expect, it } from 'vitest';
import { readU32, writeU32 } from '@herald/core';

/** readU32/writeU32 skip a DataView per call (every frame and envelope passes them): they must read and write what DataView does. */
describe('readU32 and writeU32', () => {
  const values = [0, 1, 255, 256, 0x01020304, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32, 2 ** 32 + 5, -1, -1.5, 1.5, 256.5, Number.NaN, Number.POSITIVE_INFINITY];

  it('write the same bytes as DataView.setUint32, at every offset', () => {
    for (const value of values) {
      for (const offset of [0, 1, 3]) {
        const ours = new Uint8Array(8).fill(0xaa);
        const theirs = new Uint8Array(8).fill(0xaa);
        writeU32(ours, offset, value);
        new DataView(theirs.buffer).setUint32(offset, value);
        expect([...ours]).toEqual([...theirs]);
      }
    }
  });

  it('read what DataView.getUint32 reads, from a view into a larger buffer too', () => {
    const backing = new Uint8Array(16).map((_, index) => (index * 73 + 0x9d) & 0xff);
    const bytes = backing.subarray(3, 13);
    for (let offset = 0; offset + 4 <= bytes.length; offset++) {
      expect(readU32(bytes, offset)).toBe(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset));
    }
  });

  it('refuse an offset past the end, as DataView does', () => {
    expect(() => readU32(new Uint8Array(5), 2)).toThrow(RangeError);
    expect(() => writeU32(new Uint8Array(5), 2, 1)).toThrow(RangeError);
    expect(() => readU32(new Uint8Array(5), -1)).toThrow(RangeError);
  });
});
