/** The collected epoch window and its change times, on an injected clock (docs/protocol.md section 5.4). */
import { describe, expect, it } from 'vitest';
import { collectedEpochs, epochTagFor, generateIdentity, maxCollectedEpochs, toHex } from '@herald/core';
import { epochTagSet } from '../../src/node/epoch-tags.js';
import { myRoutingTags } from '../../src/envelope/my-tags.js';

const DAY = 86_400;
const card = generateIdentity({ epochSeconds: DAY }).card;
const start = 20_429 * DAY * 1000;

describe('the collected window', () => {
  it('spans retainSeconds back and enters the next epoch 5 minutes ahead', () => {
    expect(collectedEpochs(start + 3600_000, DAY, 30 * DAY)).toEqual({ first: 20_429 - 30, last: 20_429 });
    expect(collectedEpochs(start + DAY * 1000 - 300_000, DAY, 30 * DAY)).toEqual({ first: 20_429 - 30, last: 20_430 });
    // For epochs shorter than 5 minutes, one epoch ahead only.
    expect(collectedEpochs(10_000, 2, 0)).toEqual({ first: 5, last: 6 });
    expect(maxCollectedEpochs(DAY, 30 * DAY)).toBe(32);
    expect(maxCollectedEpochs(2, 120)).toBe(62);
  });

  it('the node set: tags in epoch order, and the next change at the moment the window moves', () => {
    const set = epochTagSet(card, { retainSeconds: 2 * DAY })!;
    const now = start + 3600_000;
    expect(set.at(now).hex).toEqual([20_427, 20_428, 20_429].map((epoch) => toHex(epochTagFor(card, epoch))));
    const change = set.nextChange(now);
    expect(change).toBe(start + DAY * 1000 - 300_000);
    expect(set.at(change - 1).hex).toHaveLength(3);
    expect(set.at(change).hex.at(-1)).toBe(toHex(epochTagFor(card, 20_430)));
    // After the boundary the oldest leaves once it is retainSeconds past its end.
    expect(set.nextChange(start + DAY * 1000)).toBe(start + DAY * 1000 + 1000 * DAY - 300_000);
    expect(set.at(start + DAY * 1000).hex[0]).toBe(toHex(epochTagFor(card, 20_428)));
    expect(epochTagSet(generateIdentity().card, undefined)).toBeUndefined();
  });
});

describe('the default window of open() without a tag list', () => {
  it('is derived once per window: the same tags while the window stands, the moved window after its change', () => {
    const identity = generateIdentity({ epochSeconds: DAY });
    const now = start + 3600_000;
    const clockAt = (ms: number) => ({ nowSeconds: Math.floor(ms / 1000), skew: 300 });
    const first = myRoutingTags({ identity }, clockAt(now));
    expect(first.map(toHex)).toEqual([identity.card.routingTag, ...[...Array(31).keys()].map((back) => epochTagFor(identity.card, 20_429 - 30 + back))].map(toHex));
    expect(myRoutingTags({ identity }, clockAt(now + 60_000)), 'the same window: no blinding derived again').toBe(first);
    const moved = myRoutingTags({ identity }, clockAt(start + DAY * 1000 - 300_000));
    expect(moved).not.toBe(first);
    expect(moved.map(toHex).at(-1)).toBe(toHex(epochTagFor(identity.card, 20_430)));
    // An identity of its own has a window of its own.
    const other = generateIdentity({ epochSeconds: DAY });
    expect(myRoutingTags({ identity: other }, clockAt(now))[1]).toEqual(epochTagFor(other.card, 20_429 - 30));
  });
});
