import { describe, expect, it } from 'vitest';
import { generateIdentity, inspect, memorySeenSet, open, seal, type Identity } from '@herald/core';
import { bytesOf, expectCode } from './helpers.js';

const alice = generateIdentity({ label: 'Alice' });
const recipients: Identity[] = ['Bob', 'Carol', 'Dave', 'Erin', 'Frank'].map((label) => generateIdentity({ label }));
const bob = recipients[0]!;
const mallory = generateIdentity({ label: 'Mallory' });

describe('seal and open round trips', () => {
  for (const size of [0, 1, 1024 * 1024]) {
    for (const count of [1, 5]) {
      it(`${size} bytes to ${count} recipient(s), every recipient opens`, async () => {
        const plaintext = bytesOf(size, size + count);
        const to = recipients.slice(0, count);
        const envelope = seal(plaintext, { from: alice, to: to.map((identity) => identity.card), precedence: 'PRIORITY', ttl: 600 });
        for (const identity of to) {
          const opened = await open(envelope, { identity });
          expect(Buffer.from(opened.plaintext).equals(Buffer.from(plaintext))).toBe(true);
          expect(opened.sender.fingerprint).toBe(alice.card.fingerprint);
          expect(opened.precedence).toBe('PRIORITY');
          expect(opened.contentType).toBe('application/octet-stream');
          expect(opened.expires.getTime() - opened.created.getTime()).toBe(600_000);
          expect(opened.id).toBe(inspect(envelope).id);
        }
        await expectCode(open(envelope, { identity: mallory }), 'NOT_FOR_ME');
      });
    }
  }

  it('carries strings as UTF-8 text with their content type, and custom content types', async () => {
    const text = 'Convoy delayed — ETA 14:30 ✓';
    const opened = await open(seal(text, { from: alice, to: bob.card }), { identity: bob });
    expect(new TextDecoder().decode(opened.plaintext)).toBe(text);
    expect(opened.contentType).toBe('text/plain; charset=utf-8');
    const custom = await open(seal('{}', { from: alice, to: bob.card, contentType: 'application/vnd.mission.sitrep+json' }), { identity: bob });
    expect(custom.contentType).toBe('application/vnd.mission.sitrep+json');
  });

  it('gives each message a fresh 128-bit id and fresh ciphertext', () => {
    const first = seal('same', { from: alice, to: bob.card });
    const second = seal('same', { from: alice, to: bob.card });
    expect(inspect(first).id).toMatch(/^[0-9a-f]{32}$/);
    expect(inspect(first).id).not.toBe(inspect(second).id);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
  });

  it('returns the contact card when the sender is known, and accepts compact (key id) senders only from contacts', async () => {
    const envelope = seal('hi', { from: alice, to: bob.card, sender: 'keyId' });
    const opened = await open(envelope, { identity: bob, contacts: [alice.card] });
    expect(opened.sender.card?.label).toBe('Alice');
    await expectCode(open(envelope, { identity: bob }), 'UNKNOWN_SENDER');
    await expectCode(open(envelope, { identity: bob, contacts: [mallory.card] }), 'UNKNOWN_SENDER');
  });

  it('compact senders save 24 bytes', () => {
    const full = seal('', { from: alice, to: bob.card, pad: false });
    const compact = seal('', { from: alice, to: bob.card, pad: false, sender: 'keyId' });
    expect(full.length - compact.length).toBe(24);
  });
});

describe('sender checks', () => {
  it('with a required sender, refuses a message signed by anyone else', async () => {
    const fromMallory = seal('trust me', { from: mallory, to: bob.card });
    await expectCode(open(fromMallory, { identity: bob, contacts: [alice.card], requireKnownSender: true }), 'UNKNOWN_SENDER');
    const fromAlice = seal('hello', { from: alice, to: bob.card });
    expect((await open(fromAlice, { identity: bob, contacts: [alice.card], requireKnownSender: true })).sender.card?.label).toBe('Alice');
  });
});

describe('replay and time', () => {
  it('refuses an id already seen', async () => {
    const seen = memorySeenSet();
    const envelope = seal('once', { from: alice, to: bob.card });
    await open(envelope, { identity: bob, seen });
    await expectCode(open(envelope, { identity: bob, seen }), 'REPLAY');
  });

  it('refuses expired envelopes beyond the clock skew, and accepts within it', async () => {
    const now = Date.UTC(2026, 0, 1);
    const envelope = seal('old', { from: alice, to: bob.card, ttl: 60, now });
    await expectCode(open(envelope, { identity: bob, now: now + 60_000 + 301_000 }), 'EXPIRED');
    await expect(open(envelope, { identity: bob, now: now + 60_000 + 299_000 })).resolves.toBeDefined();
    await expectCode(open(envelope, { identity: bob, now: now + 61_000, maxClockSkewSeconds: 0 }), 'EXPIRED');
  });

  it('refuses envelopes created beyond the skew in the future', async () => {
    const now = Date.UTC(2026, 0, 1);
    const envelope = seal('future', { from: alice, to: bob.card, now: now + 3_600_000 });
    await expectCode(open(envelope, { identity: bob, now }), 'NOT_YET_VALID');
    await expect(open(envelope, { identity: bob, now: now + 3_400_000 })).resolves.toBeDefined();
  });
});

describe('limits', () => {
  it('refuses oversize input before any crypto work', async () => {
    const envelope = seal('x', { from: alice, to: bob.card });
    await expectCode(open(envelope, { identity: bob, maxEnvelopeBytes: envelope.length - 1 }), 'TOO_LARGE');
    expect(() => seal(new Uint8Array(11), { from: alice, to: bob.card, maxPlaintextBytes: 10 })).toThrowError(expect.objectContaining({ code: 'TOO_LARGE' }));
  });

  it('validates options with precise messages', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ precedence: 'URGENT' }, /precedence/],
      [{ ttl: 0 }, /ttl/],
      [{ ttl: 1.5 }, /ttl/],
      [{ to: [] }, /to: expected 1 to 255/],
      [{ to: [bob.card, bob.card] }, /listed twice/],
      [{ contentType: '' }, /contentType/],
      [{ sender: 'name' }, /sender/],
    ];
    for (const [override, message] of bad) {
      expect(() => seal('x', { from: alice, to: bob.card, ...override } as never)).toThrowError(message);
    }
  });
});
