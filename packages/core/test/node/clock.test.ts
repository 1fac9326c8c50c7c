import { describe, expect, it, vi } from 'vitest';
import type { NodeEvent } from '@herald/core';
import { CLOCK_WARN_MS, MAX_CLOCK_OFFSET_MS, nodeClock, type ClockEvent } from '../../src/node/clock.js';
import { FAST, pair, receive, waitUntil } from './fixtures.js';

const HOUR = 3_600_000;

function clockAt(base: number): { clock: ReturnType<typeof nodeClock>; told: ClockEvent[] } {
  const told: ClockEvent[] = [];
  return { clock: nodeClock((event) => told.push(event), () => base), told };
}

describe('nodeClock', () => {
  it('corrects by a relay’s offset and tells it once', () => {
    const { clock, told } = clockAt(1_000_000_000_000);
    clock.observe('relay ws://a', -HOUR);
    clock.observe('relay ws://a', -HOUR + 250);
    expect(clock.now()).toBe(1_000_000_000_000 - HOUR + 250);
    expect(told).toEqual([{ type: 'clock', source: 'relay ws://a', offsetMs: -HOUR, applied: true }]);
  });

  it('tells again when the offset moves by the warning threshold', () => {
    const { clock, told } = clockAt(0);
    clock.observe('relay ws://a', 7 * HOUR);
    clock.observe('relay ws://a', 7 * HOUR + CLOCK_WARN_MS);
    expect(told.map((event) => event.offsetMs)).toEqual([7 * HOUR, 7 * HOUR + CLOCK_WARN_MS]);
  });

  it('corrects small offsets without a word', () => {
    const { clock, told } = clockAt(5_000);
    clock.observe('relay ws://a', CLOCK_WARN_MS - 1);
    expect(clock.offsetMs()).toBe(CLOCK_WARN_MS - 1);
    expect(told).toEqual([]);
  });

  it('refuses an offset beyond 24 h and says why', () => {
    const { clock, told } = clockAt(0);
    clock.observe('relay ws://a', -HOUR);
    clock.observe('relay ws://a', MAX_CLOCK_OFFSET_MS + 1);
    expect(clock.offsetMs()).toBe(0);
    expect(told[1]).toMatchObject({ applied: false, offsetMs: MAX_CLOCK_OFFSET_MS + 1, reason: expect.stringContaining('24 h') });
  });

  it('takes the median of several relays, so one wrong relay does not move the clock', () => {
    const { clock } = clockAt(0);
    clock.observe('relay a', HOUR);
    clock.observe('relay b', HOUR + 1000);
    clock.observe('relay c', -20 * HOUR);
    expect(clock.offsetMs()).toBe(HOUR);
  });

  it('reports a contact’s clock but never corrects by it', () => {
    const { clock, told } = clockAt(0);
    clock.peer('abcd', 2 * HOUR);
    expect(clock.offsetMs()).toBe(0);
    expect(told).toEqual([{ type: 'clock', source: 'contact abcd', offsetMs: 2 * HOUR, applied: false, reason: "that contact's clock" }]);
  });
});

describe('a node with a wrong clock', () => {
  it('seals with the relay-corrected time, and its contact is told that clock is ahead', async () => {
    const p = await pair(['relay'], FAST);
    const aliceEvents: NodeEvent[] = [];
    const bobEvents: NodeEvent[] = [];
    p.aliceNode.subscribe((event) => aliceEvents.push(event));
    p.bobNode.subscribe((event) => bobEvents.push(event));
    try {
      // Alice's relay says this machine is two hours behind: Alice seals two hours ahead, and Bob (uncorrected) refuses.
      p.aliceChannels[0]!.reportClock(2 * HOUR);
      expect(aliceEvents).toContainEqual({ type: 'clock', source: 'relay relay', offsetMs: 2 * HOUR, applied: true });
      await p.aliceNode.send(p.bob.card, 'from the future', { ttl: 3 * 3600 });
      await waitUntil(() => bobEvents.some((event) => event.type === 'rejected'));
      expect(bobEvents.find((event) => event.type === 'rejected')).toMatchObject({ code: 'NOT_YET_VALID' });
      const told = bobEvents.find((event) => event.type === 'clock');
      expect(told).toMatchObject({ source: `contact ${p.alice.card.fingerprint}`, applied: false });
      expect(Math.abs((told as ClockEvent).offsetMs - 2 * HOUR)).toBeLessThan(5_000);

      // Bob's relay says the same of Bob's machine: now both check alike, and the refused message, sent again, gets through.
      p.bobChannels[0]!.reportClock(2 * HOUR);
      await p.aliceNode.send(p.bob.card, 'in step', { ttl: 3 * 3600 });
      const received = await receive(p.bobNode, 2);
      expect(received.map((message) => message.text).sort()).toEqual(['from the future', 'in step']);
      for (const message of received) expect(Math.abs(message.created.getTime() - (Date.now() + 2 * HOUR))).toBeLessThan(5_000);
    } finally {
      await p.stop();
    }
  });
});

describe('replay protection under a corrected clock', () => {
  it('keeps a seen key while any clock within 24 h of this machine’s would still take its envelope in', async () => {
    // Only the upkeep's interval is driven by hand; everything else runs on real timers.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const p = await pair(['relay'], FAST);
    try {
      // Both machines are 20 h ahead of their relay: both correct, so Alice's 1-hour envelope is fresh to Bob,
      // though by Bob's machine clock it expired 19 hours ago.
      p.aliceChannels[0]!.reportClock(-20 * HOUR);
      p.bobChannels[0]!.reportClock(-20 * HOUR);
      await p.aliceNode.send(p.bob.card, 'once', { ttl: 3600 });
      expect((await receive(p.bobNode, 1)).map((message) => message.text)).toEqual(['once']);
      // The upkeep prunes the seen-set; then the relay (or anyone who kept it) plays the envelope again.
      await vi.advanceTimersByTimeAsync(60_000);
      const [record] = await p.aliceNode.outbox();
      await p.aliceChannels[0]!.send(record!.envelope, { messageId: record!.id, routingTags: record!.routingTags, expiresAt: record!.expiresAt });
      expect(await receive(p.bobNode, 1, 1_000)).toEqual([]);
    } finally {
      vi.useRealTimers();
      await p.stop();
    }
  });
});
