import { describe, expect, it } from 'vitest';
import { generateIdentity, open, sealV2, type SignedPrekey } from '@herald/core';
import { expectCode } from '../helpers.js';
import { KINDS, NOW, makePrekey, resolverOf } from './helpers.js';

const alice = generateIdentity({ label: 'Alice', now: NOW });
const bob = generateIdentity({ label: 'Bob', now: NOW });
const mallory = generateIdentity({ label: 'Mallory', now: NOW });
const DAY = 86_400;

describe('sealV2 options', () => {
  it('refuses no recipients, a recipient listed twice, and a recipient without a prekey (INVALID_OPTIONS)', async () => {
    const prekey = makePrekey(bob, 'x25519').signed;
    await expectCode(() => sealV2('x', { from: alice, to: [], now: NOW }), 'INVALID_OPTIONS');
    await expectCode(() => sealV2('x', { from: alice, to: [{ card: bob.card, prekey }, { card: bob.card, prekey }], now: NOW }), 'INVALID_OPTIONS');
    await expectCode(() => sealV2('x', { from: alice, to: { card: bob.card } as unknown as { card: typeof bob.card; prekey: SignedPrekey }, now: NOW }), 'INVALID_OPTIONS');
    await expectCode(() => sealV2('x', { from: alice, to: [bob.card] as unknown as [], now: NOW }), 'INVALID_OPTIONS');
  });
});

describe.each(KINDS)('a sender checks each %s prekey before sealing', (kind) => {
  const genuine = makePrekey(bob, kind);
  const sealTo = (prekey: SignedPrekey, options: { now?: number; ttl?: number } = {}) => () => sealV2('checked', { from: alice, to: { card: bob.card, prekey }, now: NOW, ...options });

  it('seals to a genuine prekey', async () => {
    const envelope = sealTo(genuine.signed)();
    expect((await open(envelope, { identity: bob, prekeys: resolverOf(genuine), now: NOW })).version).toBe(2);
  });

  it('refuses a forged prekey: signed by another identity (BAD_PREKEY)', async () => {
    await expectCode(sealTo(makePrekey(mallory, kind).signed), 'BAD_PREKEY');
  });

  it('refuses an altered prekey: key, times, one-time flag or id changed after signing (BAD_PREKEY)', async () => {
    const other = makePrekey(bob, kind).signed;
    for (const altered of [
      { ...genuine.signed, publicKey: other.publicKey },
      { ...genuine.signed, sealUntil: genuine.signed.sealUntil + DAY },
      { ...genuine.signed, openUntil: genuine.signed.openUntil + DAY },
      { ...genuine.signed, oneTime: !genuine.signed.oneTime },
      { ...genuine.signed, id: other.id },
      { ...genuine.signed, signature: other.signature },
    ]) {
      await expectCode(sealTo(altered), 'BAD_PREKEY');
    }
  });

  it('refuses an expired prekey: past sealUntil and the clock skew (PREKEY_EXPIRED)', async () => {
    const sealUntilMs = genuine.signed.sealUntil * 1000;
    expect(sealTo(genuine.signed, { now: sealUntilMs + 300_000, ttl: 60 })()[0]).toBe(2);
    await expectCode(sealTo(genuine.signed, { now: sealUntilMs + 301_000, ttl: 60 }), 'PREKEY_EXPIRED');
  });

  it('refuses an envelope that would expire after the prekey secret is deleted (INVALID_OPTIONS)', async () => {
    const shortLived = makePrekey(bob, kind, { sealForSeconds: 3600, openForSeconds: 3600 });
    const fits = shortLived.signed.openUntil - Math.floor(NOW / 1000);
    expect(sealTo(shortLived.signed, { ttl: fits })()[0]).toBe(2);
    await expectCode(sealTo(shortLived.signed, { ttl: fits + 1 }), 'INVALID_OPTIONS');
  });
});
