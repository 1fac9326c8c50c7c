/**
 * Sealing for a version-2 card puts the epoch tag of the sender's clock into its entry, and open finds that entry
 * among the tags the recipient collects (docs/protocol.md section 5.4). Version-1 cards keep their static tag.
 */
import { describe, expect, it } from 'vitest';
import { envelopeRoutingTags, epochOf, epochTagFor, generateIdentity, open, seal, sealV2, toHex } from '@herald/core';
import { makePrekey, NOW, resolverOf } from '../envelope-v2/helpers.js';
import { expectCode } from '../helpers.js';

const HOUR = 3600;
const alice = generateIdentity({ label: 'Alice', now: NOW });
const bob = generateIdentity({ label: 'Bob', now: NOW, epochSeconds: HOUR });
const carol = generateIdentity({ label: 'Carol', now: NOW });
const epoch = epochOf(NOW, HOUR);
const ttl = 7 * 86_400;

describe('sealing for epoch tags', () => {
  it('a version-2 card gets the epoch tag of the sealing time, a version-1 card its static tag', () => {
    const envelope = seal('hi', { from: alice, to: [bob.card, carol.card], now: NOW });
    expect(envelopeRoutingTags(envelope)).toEqual([toHex(epochTagFor(bob.card, epoch)), toHex(carol.card.routingTag)]);
    const nextHour = seal('later', { from: alice, to: bob.card, now: NOW + HOUR * 1000 });
    expect(envelopeRoutingTags(nextHour)).toEqual([toHex(epochTagFor(bob.card, epoch + 1))]);
    expect(envelopeRoutingTags(envelope)).not.toContain(toHex(bob.card.routingTag));
  });

  it('opens by default two days (48 hourly epochs) later, and for a sender whose clock runs up to 5 minutes ahead', async () => {
    const envelope = seal('hi', { from: alice, to: bob.card, now: NOW, ttl });
    expect(new TextDecoder().decode((await open(envelope, { identity: bob, now: NOW + 2 * 86_400_000 })).plaintext)).toBe('hi');
    // Sealed 4 minutes into the next epoch by a clock 4 minutes fast: collected ahead.
    const boundary = (epoch + 1) * HOUR * 1000;
    const ahead = seal('ahead', { from: alice, to: bob.card, now: boundary + 60_000 });
    expect((await open(ahead, { identity: bob, now: boundary - 180_000 })).plaintext.length).toBe(5);
    await expectCode(open(ahead, { identity: bob, now: boundary - 400_000 }), 'NOT_FOR_ME');
  });

  it('an explicit routingTags list is what matches: without the epoch it is NOT_FOR_ME', async () => {
    const envelope = seal('hi', { from: alice, to: bob.card, now: NOW });
    await expectCode(open(envelope, { identity: bob, now: NOW, routingTags: [bob.card.routingTag, epochTagFor(bob.card, epoch + 1)] }), 'NOT_FOR_ME');
    expect((await open(envelope, { identity: bob, now: NOW, routingTags: [epochTagFor(bob.card, epoch)] })).version).toBe(1);
    await expectCode(open(envelope, { identity: bob, now: NOW, routingTags: [] }), 'INVALID_OPTIONS');
    await expectCode(open(envelope, { identity: bob, now: NOW, routingTags: Array.from({ length: 66 }, () => new Uint8Array(16)) }), 'INVALID_OPTIONS');
    await expectCode(open(envelope, { identity: bob, now: NOW, routingTags: [new Uint8Array(15)] }), 'INVALID_OPTIONS');
  });

  it('version-2 envelopes carry and match the epoch tag the same way', async () => {
    const prekey = makePrekey(bob, 'x25519');
    const envelope = sealV2('fs', { from: alice, to: { card: bob.card, prekey: prekey.signed }, now: NOW });
    expect(envelopeRoutingTags(envelope)).toEqual([toHex(epochTagFor(bob.card, epoch))]);
    expect((await open(envelope, { identity: bob, prekeys: resolverOf(prekey), now: NOW + 2 * HOUR * 1000 })).version).toBe(2);
    await expectCode(open(envelope, { identity: bob, prekeys: resolverOf(prekey), now: NOW, routingTags: [bob.card.routingTag] }), 'NOT_FOR_ME');
  });

  it('version-1 cards still seal and open with the static tag', async () => {
    const envelope = seal('v1', { from: alice, to: carol.card, now: NOW });
    expect(envelopeRoutingTags(envelope)).toEqual([toHex(carol.card.routingTag)]);
    expect((await open(envelope, { identity: carol, now: NOW })).plaintext.length).toBe(2);
  });

  it('by default at most the newest 64 epochs match: with 2-second epochs, one sealed 200 s ago needs the list', async () => {
    const dave = generateIdentity({ now: NOW, epochSeconds: 2 });
    const envelope = seal('old', { from: alice, to: dave.card, now: NOW });
    const later = NOW + 200_000;
    await expectCode(open(envelope, { identity: dave, now: later }), 'NOT_FOR_ME');
    expect((await open(envelope, { identity: dave, now: later, routingTags: [epochTagFor(dave.card, epochOf(NOW, 2))] })).version).toBe(1);
    expect((await open(seal('new', { from: alice, to: dave.card, now: later - 100_000 }), { identity: dave, now: later })).version).toBe(1);
  });
});
