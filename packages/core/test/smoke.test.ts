import { describe, expect, it } from 'vitest';
import { generateIdentity, open, seal } from '@herald/core';

describe('smoke', () => {
  it('round trips', async () => {
    const a = generateIdentity({ label: 'A' });
    const b = generateIdentity({ label: 'B' });
    const opened = await open(seal('hi', { from: a, to: b.card }), { identity: b });
    expect(new TextDecoder().decode(opened.plaintext)).toBe('hi');
  });
});
