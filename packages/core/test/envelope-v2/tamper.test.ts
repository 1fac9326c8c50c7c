import { describe, expect, it } from 'vitest';
import { EnvelopeError, generateIdentity, open, sealV2, type Identity, type PrekeySecretResolver } from '@herald/core';
import { KINDS, NOW, makePrekey, resolverOf } from './helpers.js';

const alice = generateIdentity({ label: 'Alice', now: NOW });
const bob = generateIdentity({ label: 'Bob', now: NOW });
const carol = generateIdentity({ label: 'Carol', now: NOW });

async function outcome(envelope: Uint8Array, identity: Identity, prekeys: PrekeySecretResolver): Promise<string> {
  try {
    await open(envelope, { identity, prekeys, now: NOW, contacts: [alice.card] });
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError);
    return (error as EnvelopeError).code;
  }
  return 'ACCEPTED';
}

describe.each(KINDS)('v2 tampering (%s prekeys)', (kind) => {
  const bobPrekey = makePrekey(bob, kind);
  const carolPrekey = makePrekey(carol, kind);
  const cases: [string, Uint8Array][] = [
    ['one recipient, unpadded', sealV2('attack at dawn', { from: alice, to: { card: bob.card, prekey: bobPrekey.signed }, pad: false, now: NOW })],
    ['two recipients, key-id sender', sealV2('attack at dawn', { from: alice, to: [{ card: carol.card, prekey: carolPrekey.signed }, { card: bob.card, prekey: bobPrekey.signed }], sender: 'keyId', pad: false, now: NOW })],
  ];
  for (const [name, envelope] of cases) {
    it(`refuses every single-bit flip, truncation and extension (${name})`, async () => {
      const prekeys = resolverOf(bobPrekey);
      expect(await outcome(envelope, bob, prekeys)).toBe('ACCEPTED');
      const codes = new Map<string, number>();
      for (let bit = 0; bit < envelope.length * 8; bit++) {
        const flipped = envelope.slice();
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        const code = await outcome(flipped, bob, prekeys);
        expect(code, `bit ${bit}`).not.toBe('ACCEPTED');
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      expect([...codes.keys()]).toEqual(expect.arrayContaining(['UNSUPPORTED_VERSION', 'NOT_FOR_ME', 'PREKEY_GONE', 'DECRYPT_FAILED']));
      for (let length = 0; length < envelope.length; length++) expect(await outcome(envelope.subarray(0, length), bob, prekeys), `cut to ${length}`).not.toBe('ACCEPTED');
      for (const extra of [Uint8Array.of(0), Uint8Array.of(0x80), new Uint8Array(32)]) {
        const extended = new Uint8Array(envelope.length + extra.length);
        extended.set(envelope);
        extended.set(extra, envelope.length);
        expect(await outcome(extended, bob, prekeys)).toBe('DECRYPT_FAILED');
      }
    });
  }
});
