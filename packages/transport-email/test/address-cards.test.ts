import { describe, expect, it } from 'vitest';
import { epochOf, epochTagFor, generateIdentity, OptionsError, toHex } from '@herald/core';
import { emailTransport } from '@herald/transport-email';
import { addressCards } from '../src/address-cards.js';

/** Recipients by card (epoch tags, docs/protocol.md 5.4): every tag a sender's envelope may carry finds the address. */
describe('addressCards', () => {
  const DAY = 86_400;
  const now = Date.UTC(2026, 11, 7, 12);
  const v1 = generateIdentity({ label: 'static' }).card;
  const v2 = generateIdentity({ label: 'epochs', epochSeconds: DAY }).card;
  const lookup = addressCards([
    { card: v1, address: 'static@ops.example' },
    { card: v2, address: 'epochs@ops.example' },
  ]);
  const tagAt = (epoch: number): string => toHex(epochTagFor(v2, epoch));
  const current = epochOf(now, DAY);

  it("a version-1 card by its static tag; a version-2 card by the tags of its last 30 days' epochs, not its static tag", () => {
    expect(lookup(toHex(v1.routingTag), now)).toBe('static@ops.example');
    expect(lookup(tagAt(current), now)).toBe('epochs@ops.example');
    expect(lookup(tagAt(current - 30), now), 'an epoch within the 30 days a retransmission may still carry').toBe('epochs@ops.example');
    expect(lookup(tagAt(current - 40), now), 'an epoch long gone').toBeUndefined();
    expect(lookup(toHex(v2.routingTag), now), 'a version-2 card’s static tag is never on the wire').toBeUndefined();
    expect(lookup('00'.repeat(16), now)).toBeUndefined();
  });

  it('follows the clock: the next epoch’s tag is found once it comes', () => {
    expect(lookup(tagAt(current + 2), now)).toBeUndefined();
    expect(lookup(tagAt(current + 2), now + 2 * DAY * 1000)).toBe('epochs@ops.example');
  });

  it('refuses entries that are not { card, address } precisely', () => {
    expect(() => addressCards([{ card: v2, address: 'not an address' }])).toThrow(/addressCards\[0\]\.address: expected an e-mail address/);
    expect(() => addressCards([{ card: 'herald-card:x', address: 'a@b.example' } as never])).toThrow(OptionsError);
    expect(() => emailTransport({ address: 'me@ops.example', smtp: { host: '127.0.0.1', port: 587, security: 'starttls' }, addressCards: [{ card: v2, address: 'epochs@ops.example' }] })).not.toThrow();
  });
});
