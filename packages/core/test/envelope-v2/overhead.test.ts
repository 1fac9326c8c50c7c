import { describe, expect, it } from 'vitest';
import { generateIdentity, seal, sealV2, type PrekeyKind } from '@herald/core';
import { KINDS, NOW, makePrekey } from './helpers.js';

// docs/protocol.md section 17.7: empty body, unpadded, key form / key-id form.
const ONE_RECIPIENT: Record<PrekeyKind, [number, number]> = { x25519: [213, 189], xwing: [1301, 1277] };
const FURTHER_RECIPIENT: Record<PrekeyKind, number> = { x25519: 89, xwing: 1177 };

const alice = generateIdentity({ label: 'Alice', now: NOW });
const people = Array.from({ length: 4 }, (_, index) => generateIdentity({ label: `R${index}`, now: NOW }));

describe.each(KINDS)('v2 wire overhead (%s)', (kind) => {
  const to = people.map((person) => ({ card: person.card, prekey: makePrekey(person, kind).signed }));
  const size = (count: number, sender: 'key' | 'keyId' = 'key'): number => sealV2(new Uint8Array(0), { from: alice, to: to.slice(0, count), pad: false, sender, now: NOW }).length;

  it('is as section 17.7 states', () => {
    expect([size(1), size(1, 'keyId')]).toEqual(ONE_RECIPIENT[kind]);
    expect(size(2) - size(1)).toBe(FURTHER_RECIPIENT[kind] + 32);
    expect(size(3) - size(2)).toBe(FURTHER_RECIPIENT[kind]);
    expect(size(4) - size(3)).toBe(FURTHER_RECIPIENT[kind]);
  });

  it('adds the kind byte, prekey id and KEM ciphertext to version 1', () => {
    const v1 = seal(new Uint8Array(0), { from: alice, to: people[0]!.card, pad: false, now: NOW }).length;
    expect(size(1) - v1).toBe(1 + 8 + (kind === 'xwing' ? 1120 : 32));
  });
});
