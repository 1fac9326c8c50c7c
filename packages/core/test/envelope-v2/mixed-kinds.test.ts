import { describe, expect, it } from 'vitest';
import { envelopeRoute, generateIdentity, inspect, open, sealV2 } from '@herald/core';
import { NOW, makePrekey, resolverOf } from './helpers.js';

const alice = generateIdentity({ label: 'Alice', now: NOW });
const bob = generateIdentity({ label: 'Bob', now: NOW });
const carol = generateIdentity({ label: 'Carol', now: NOW });

describe('v2 with prekeys of different kinds', () => {
  it('opens for each recipient, and is not reported post-quantum unless every entry is xwing', async () => {
    const bobPrekey = makePrekey(bob, 'xwing');
    const carolPrekey = makePrekey(carol, 'x25519');
    const mixed = sealV2('mixed', { from: alice, to: [{ card: bob.card, prekey: bobPrekey.signed }, { card: carol.card, prekey: carolPrekey.signed }], now: NOW });
    expect(inspect(mixed).prekeys?.map((prekey) => prekey.kind)).toEqual(['xwing', 'x25519']);
    expect(inspect(mixed).postQuantum).toBe(false);
    // A relay routes v2 by the same id, tags and expiry inspect reads.
    expect(envelopeRoute(mixed)).toEqual({ id: inspect(mixed).id, routingTags: inspect(mixed).routingTags, expiresAt: inspect(mixed).expires.getTime() });
    expect((await open(mixed, { identity: bob, prekeys: resolverOf(bobPrekey), now: NOW })).prekey?.kind).toBe('xwing');
    expect((await open(mixed, { identity: carol, prekeys: resolverOf(carolPrekey), now: NOW })).prekey?.kind).toBe('x25519');
    const allHybrid = sealV2('hybrid', { from: alice, to: [{ card: bob.card, prekey: bobPrekey.signed }, { card: carol.card, prekey: makePrekey(carol, 'xwing').signed }], now: NOW });
    expect(inspect(allHybrid).postQuantum).toBe(true);
  });

  it('refuses a secret of another kind than the entry names', async () => {
    const prekey = makePrekey(bob, 'xwing');
    const envelope = sealV2('kind', { from: alice, to: { card: bob.card, prekey: prekey.signed }, now: NOW });
    const wrongKind = makePrekey(bob, 'x25519').secret;
    await expect(open(envelope, { identity: bob, prekeys: { get: () => wrongKind }, now: NOW })).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
  });
});
