import { describe, expect, it } from 'vitest';
import { generateIdentity, inspect, open, seal, sealV2, toHex, type Identity } from '@herald/core';
import { bytesOf, expectCode } from '../helpers.js';
import { KINDS, NOW, makePrekey, resolverOf, type TestPrekey } from './helpers.js';

const alice = generateIdentity({ label: 'Alice', now: NOW });
const people = ['Bob', 'Carol', 'Dave', 'Erin', 'Frank'].map((label) => generateIdentity({ label, now: NOW }));
const bob = people[0]!;

describe.each(KINDS)('envelope v2 round trips (%s prekeys)', (kind) => {
  const prekeys = new Map<Identity, TestPrekey>(people.map((person) => [person, makePrekey(person, kind)]));
  const prekeyOf = (person: Identity): TestPrekey => prekeys.get(person)!;

  for (const size of [0, 1, 1000, 1024 * 1024]) {
    for (const count of [1, 5]) {
      it(`${size} bytes to ${count} recipient(s)`, async () => {
        const plaintext = bytesOf(size, size + count);
        const recipients = people.slice(0, count);
        const envelope = sealV2(plaintext, { from: alice, to: recipients.map((card) => ({ card: card.card, prekey: prekeyOf(card).signed })), now: NOW });
        expect(envelope[0]).toBe(2);
        for (const person of recipients) {
          const opened = await open(envelope, { identity: person, prekeys: resolverOf(prekeyOf(person)), now: NOW });
          expect(Buffer.from(opened.plaintext).equals(Buffer.from(plaintext))).toBe(true);
          expect(opened.version).toBe(2);
          expect(opened.sender.signingPublicKey).toEqual(alice.card.signingPublicKey);
          expect(opened.prekey).toEqual({ id: toHex(prekeyOf(person).signed.id), kind, oneTime: false });
          expect(opened.id).toBe(inspect(envelope).id);
        }
      });
    }
  }

  it('reports a one-time prekey so its secret can be deleted', async () => {
    const oneTime = makePrekey(bob, kind, { oneTime: true });
    const envelope = sealV2('once', { from: alice, to: { card: bob.card, prekey: oneTime.signed }, now: NOW });
    const opened = await open(envelope, { identity: bob, prekeys: resolverOf(oneTime), now: NOW });
    expect(opened.prekey?.oneTime).toBe(true);
  });

  it('shows version, tags, prekeys and expiry to an outsider, and whether it is post-quantum', () => {
    const envelope = sealV2('hi', { from: alice, to: people.slice(0, 3).map((person) => ({ card: person.card, prekey: prekeyOf(person).signed })), now: NOW, ttl: 600 });
    const outline = inspect(envelope);
    expect(outline.version).toBe(2);
    expect(outline.routingTags).toEqual(people.slice(0, 3).map((person) => toHex(person.card.routingTag)));
    expect(outline.prekeys).toEqual(people.slice(0, 3).map((person) => ({ kind, id: toHex(prekeyOf(person).signed.id) })));
    expect(outline.expires.getTime()).toBe(Math.floor(NOW / 1000) * 1000 + 600_000);
    expect(outline.postQuantum).toBe(kind === 'xwing');
  });

  it('refuses with PREKEY_GONE when the prekey secret is not held, and NOT_FOR_ME for others', async () => {
    const prekey = prekeyOf(bob);
    const envelope = sealV2('gone', { from: alice, to: { card: bob.card, prekey: prekey.signed }, now: NOW });
    const resolver = resolverOf(prekey);
    resolver.forget(prekey);
    await expectCode(open(envelope, { identity: bob, prekeys: resolver, now: NOW }), 'PREKEY_GONE');
    await expectCode(open(envelope, { identity: bob, now: NOW }), 'PREKEY_GONE');
    await expectCode(open(envelope, { identity: people[1]!, prekeys: resolverOf(prekeyOf(people[1]!)), now: NOW }), 'NOT_FOR_ME');
    const refusal = await open(envelope, { identity: bob, now: NOW }).then(() => undefined, (error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'PREKEY_GONE', retryable: false });
  });

  it('needs both the prekey secret and the identity key', async () => {
    const prekey = prekeyOf(bob);
    const envelope = sealV2('both', { from: alice, to: { card: bob.card, prekey: prekey.signed }, now: NOW });
    // Identity key stolen, prekey secret not: another secret under the same id.
    const otherSecret = makePrekey(bob, kind).secret;
    await expectCode(open(envelope, { identity: bob, prekeys: { get: () => otherSecret }, now: NOW }), 'DECRYPT_FAILED');
    expect(otherSecret.secretKey.every((byte) => byte === 0)).toBe(true);
    // Prekey secret stolen, identity key not: the right card (so the right tag) with another X25519 secret.
    const impostor: Identity = { ...bob, agreementSecretKey: generateIdentity().agreementSecretKey };
    await expectCode(open(envelope, { identity: impostor, prekeys: resolverOf(prekey), now: NOW }), 'DECRYPT_FAILED');
    // Both: opens.
    expect((await open(envelope, { identity: bob, prekeys: resolverOf(prekey), now: NOW })).version).toBe(2);
  });

  it('refuses a routing tag listed twice before any prekey look-up', async () => {
    const carol = people[1]!;
    const envelope = sealV2('twice', { from: alice, to: [{ card: carol.card, prekey: prekeyOf(carol).signed }, { card: bob.card, prekey: prekeyOf(bob).signed }], now: NOW });
    const second = inspect(envelope).routingTags.indexOf(toHex(bob.card.routingTag));
    const tampered = envelope.slice();
    // Entries are equal in size here; copy Bob's tag over Carol's.
    const entrySize = (inspect(envelope).totalBytes - inspect(envelope).encryptedBytes - 16 - 38) / 2;
    tampered.set(bob.card.routingTag, 38 + (1 - second) * entrySize);
    const resolver = resolverOf(prekeyOf(bob));
    await expectCode(open(tampered, { identity: bob, prekeys: resolver, now: NOW }), 'MALFORMED');
    expect(resolver.lookups).toBe(0);
    expect(() => inspect(tampered)).toThrow(/listed twice/);
  });

  it('still opens v1 beside v2, without a prekey', async () => {
    const v1 = seal('old', { from: alice, to: bob.card, now: NOW });
    const opened = await open(v1, { identity: bob, prekeys: resolverOf(prekeyOf(bob)), now: NOW });
    expect(opened.version).toBe(1);
    expect(opened.prekey).toBeUndefined();
    expect(new TextDecoder().decode(opened.plaintext)).toBe('old');
  });
});
