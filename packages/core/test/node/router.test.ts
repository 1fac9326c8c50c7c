import { afterEach, describe, expect, it } from 'vitest';
import { createNode, generateIdentity, memoryStore, seal, type InboundEnvelope, type NodeEvent } from '@herald/core';
import { FAST, pair, receive, waitUntil, type Pair } from './fixtures.js';

let current: Pair | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

describe('ordered failover', () => {
  it('moves to the next channel when the first fails, and is delivered on the end-to-end ack', async () => {
    current = await pair(['a', 'b']);
    const [a, b] = current.aliceChannels;
    a!.faults.fail = true;
    const handle = await current.aliceNode.send('Bob', 'over b', { precedence: 'ROUTINE' });
    const [message] = await receive(current.bobNode, 1);
    expect(message?.text).toBe('over b');
    expect(message?.channel).toBe('b');
    expect(await handle.settled({ signal: AbortSignal.timeout(5_000) })).toBe('delivered');
    const record = (await current.aliceNode.outbox()).find((item) => item.id === handle.id)!;
    expect(record.attempts.map((attempt) => `${attempt.channel}:${attempt.outcome}`)).toEqual(['a:failed', 'b:accepted']);
    expect(b!.sent).toHaveLength(1);
  });

  it('skips a channel reported down without trying it', async () => {
    current = await pair(['a', 'b']);
    current.aliceChannels[0]!.faults.down = true;
    const handle = await current.aliceNode.send('Bob', 'x');
    expect(await handle.settled({ signal: AbortSignal.timeout(5_000) })).toBe('delivered');
    expect(current.aliceChannels[0]!.sent).toHaveLength(0);
  });

  it('sends at once when a channel comes back, not after the rest of the backoff of a pass no channel took', async () => {
    // Long backoffs: a pass that found every channel down rests 5–10 s, far longer than the wait below.
    current = await pair(['a'], { ...FAST, retryMinDelayMs: 5_000, maxBackoffMs: 10_000 });
    const [a] = current.aliceChannels;
    a!.setDown(true);
    const events: NodeEvent[] = [];
    current.aliceNode.subscribe((event) => events.push(event));
    const handle = await current.aliceNode.send('Bob', 'after the outage');
    await waitUntil(() => events.some((event) => event.type === 'next-attempt' && event.reason === 'no-channel-took-it'), 2_000);
    expect(a!.sent).toHaveLength(0);
    const backAt = Date.now();
    a!.setDown(false);
    expect(await handle.settled({ signal: AbortSignal.timeout(3_000) })).toBe('delivered');
    expect(Date.now() - backAt, 'sent when the channel came back, not at the next backoff').toBeLessThan(2_500);
    expect(a!.sent).toHaveLength(1);
  });

  it('times out a stalled channel and fails over', async () => {
    current = await pair(['a', 'b']);
    current.aliceChannels[0]!.faults.stall = true;
    const handle = await current.aliceNode.send('Bob', 'x');
    expect(await handle.settled({ signal: AbortSignal.timeout(5_000) })).toBe('delivered');
    const record = (await current.aliceNode.outbox())[0]!;
    expect(record.attempts[0]).toMatchObject({ channel: 'a', outcome: 'failed', code: 'CHANNEL_TIMEOUT' });
  });

  it('reports statuses queued → accepted (with the channel) → delivered', async () => {
    current = await pair(['a']);
    const handle = await current.aliceNode.send('Bob', 'x');
    const seen: string[] = [];
    handle.onStatus((change) => seen.push(change.channel ? `${change.status}@${change.channel}` : change.status));
    expect(handle.status === 'queued' || handle.status === 'accepted').toBe(true);
    await receive(current.bobNode, 1);
    await handle.settled({ signal: AbortSignal.timeout(5_000) });
    expect(seen.at(-1)).toBe('delivered');
    expect(seen).toContain('accepted@a');
  });
});

describe('fan-out', () => {
  it('sends FLASH over every healthy channel at once; the application gets it once', async () => {
    current = await pair(['a', 'b', 'c']);
    current.aliceChannels[2]!.faults.down = true;
    const handle = await current.aliceNode.send('Bob', 'flash', { precedence: 'FLASH' });
    const received = await receive(current.bobNode, 1);
    expect(await handle.settled({ signal: AbortSignal.timeout(5_000) })).toBe('delivered');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(current.aliceChannels.map((channel) => channel.sent.length)).toEqual([1, 1, 0]);
    expect(received).toHaveLength(1);
    expect(await current.bobStore.listInbox()).toHaveLength(0);
  });

  it('is an option for IMMEDIATE, and ROUTINE stays ordered', async () => {
    current = await pair(['a', 'b'], { ...FAST, fanOut: ['FLASH', 'IMMEDIATE'] });
    await (await current.aliceNode.send('Bob', 'i', { precedence: 'IMMEDIATE' })).settled({ signal: AbortSignal.timeout(5_000) });
    await (await current.aliceNode.send('Bob', 'r', { precedence: 'ROUTINE' })).settled({ signal: AbortSignal.timeout(5_000) });
    expect(current.aliceChannels.map((channel) => channel.sent.length)).toEqual([2, 1]);
  });
});

describe('hedging on a missing ack', () => {
  it('sends again over the next channel when the deadline passes, not faster over the same one', async () => {
    current = await pair(['a', 'b'], { ...FAST, ackDeadlineMs: { ROUTINE: 250 } });
    current.aliceChannels[0]!.faults.drop = true;
    const handle = await current.aliceNode.send('Bob', 'hedged');
    const [message] = await receive(current.bobNode, 1);
    expect(message?.channel).toBe('b');
    expect(await handle.settled({ signal: AbortSignal.timeout(5_000) })).toBe('delivered');
    expect(current.aliceChannels[0]!.sent).toHaveLength(1);
    expect(current.aliceChannels[1]!.sent).toHaveLength(1);
    expect(current.aliceChannels[1]!.sent[0]!.at - current.aliceChannels[0]!.sent[0]!.at).toBeGreaterThanOrEqual(240);
  });

  it('cycles back to the first channel only after every channel had its turn, with a growing deadline', async () => {
    current = await pair(['a', 'b'], { ...FAST, ackDeadlineMs: { ROUTINE: 100 }, ackDeadlineGrowth: 2 });
    for (const channel of current.aliceChannels) channel.faults.drop = true;
    await current.aliceNode.send('Bob', 'lost');
    await waitUntil(() => current!.aliceChannels[0]!.sent.length >= 3, 5_000);
    const times = [...current.aliceChannels[0]!.sent, ...current.aliceChannels[1]!.sent].map((send) => send.at).sort((x, y) => x - y);
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    // a, b (100 ms), a (100 ms), b (200 ms), a (200 ms): never faster on one channel than the deadline cycle before.
    expect(gaps[2]!).toBeGreaterThanOrEqual(gaps[0]! * 1.5);
  });
});

describe('timeouts that follow the round trip of a channel', () => {
  it('waits the ack deadline plus two of the accepting channel\'s round trips before a hedged resend', async () => {
    current = await pair(['a', 'b'], { ...FAST, ackDeadlineMs: { ROUTINE: 250 } });
    current.aliceChannels[0]!.faults.drop = true;
    current.aliceChannels[0]!.faults.roundTripMs = 400;
    await current.aliceNode.send('Bob', 'slow link');
    await receive(current.bobNode, 1);
    const gap = current.aliceChannels[1]!.sent[0]!.at - current.aliceChannels[0]!.sent[0]!.at;
    // 250 ms + 2 × 400 ms + max(10 ms, 4 × 0): not the bare 250 ms a round-trip-blind deadline would wait.
    expect(gap).toBeGreaterThanOrEqual(1_000);
  });

  it('gives a send attempt two round trips when that is more than sendTimeoutMs', async () => {
    current = await pair(['a', 'b'], FAST);
    const slow = current.aliceChannels[0]!;
    slow.faults.acceptAfterMs = 400;
    slow.faults.roundTripMs = 300;
    const handle = await current.aliceNode.send('Bob', 'slow acceptance');
    const [message] = await receive(current.bobNode, 1);
    // sendTimeoutMs is 200 ms: a round-trip-blind attempt would time out and fail over to b.
    expect(message?.channel).toBe('a');
    expect(await handle.settled({ signal: AbortSignal.timeout(5_000) })).toBe('delivered');
    expect(current.aliceChannels[1]!.sent).toHaveLength(0);
  });
});

describe('circuit breaker', () => {
  it('opens after repeated failures, skips the channel, and closes after a successful half-open probe', async () => {
    current = await pair(['a', 'b'], { ...FAST, breakerThreshold: 2, breakerCooldownMs: 300 });
    const events: NodeEvent[] = [];
    current.aliceNode.subscribe((event) => events.push(event));
    current.aliceChannels[0]!.faults.fail = true;
    for (let index = 0; index < 4; index++) await (await current.aliceNode.send('Bob', `m${index}`)).settled({ signal: AbortSignal.timeout(5_000) });
    expect(current.aliceChannels[0]!.sent).toHaveLength(2);
    expect(events).toContainEqual({ type: 'breaker', channel: 'a', state: 'open' });
    current.aliceChannels[0]!.faults.fail = false;
    await new Promise((resolve) => setTimeout(resolve, 350));
    const probe = await current.aliceNode.send('Bob', 'probe');
    await probe.settled({ signal: AbortSignal.timeout(5_000) });
    expect(events.filter((event) => event.type === 'breaker').map((event) => (event as { state: string }).state)).toEqual(['open', 'half-open', 'closed']);
    expect(current.aliceChannels[0]!.sent).toHaveLength(3);
  });
});

describe('a recipient not reachable on a working channel', () => {
  it('does not open the breaker (other recipients keep the channel), and the message goes through once it is reachable', async () => {
    current = await pair(['a', 'b'], { ...FAST, breakerThreshold: 2, breakerCooldownMs: 60_000 });
    const events: NodeEvent[] = [];
    current.aliceNode.subscribe((event) => events.push(event));
    current.aliceChannels[0]!.faults.unreachable = true;
    for (let index = 0; index < 4; index++) await (await current.aliceNode.send('Bob', `m${index}`)).settled({ signal: AbortSignal.timeout(5_000) });
    expect(events.filter((event) => event.type === 'breaker')).toEqual([]);
    expect(current.aliceChannels[0]!.sent.length).toBeGreaterThanOrEqual(4);
    current.aliceChannels[0]!.faults.unreachable = false;
    const later = await current.aliceNode.send('Bob', 'now reachable');
    await later.settled({ signal: AbortSignal.timeout(5_000) });
    expect(current.aliceChannels[0]!.sent.at(-1)?.id).toBe(later.id);
  });
});

describe('limits and rules', () => {
  it('skips channels too small for the envelope', async () => {
    current = await pair(['tiny', 'big'], FAST, { maxBytes: { tiny: 100 } });
    expect(await (await current.aliceNode.send('Bob', 'x')).settled({ signal: AbortSignal.timeout(5_000) })).toBe('delivered');
    expect(current.aliceChannels[0]!.sent).toHaveLength(0);
  });

  it('fails with NO_CHANNEL when no channel is large enough', async () => {
    current = await pair(['tiny'], FAST, { maxBytes: { tiny: 100 } });
    const handle = await current.aliceNode.send('Bob', 'x');
    expect(await handle.settled({ signal: AbortSignal.timeout(5_000) })).toBe('failed');
    expect((await current.aliceNode.outbox())[0]?.failure?.code).toBe('NO_CHANNEL');
  });

  it('never uses a channel forbidden for the precedence or the recipient, and fails rather than fall back to one', async () => {
    const bob = generateIdentity({ label: 'Bob' });
    current = await pair(['mqtt://x', 'email:y'], { ...FAST, forbid: { precedence: { FLASH: ['email:'] } } });
    const flash = await current.aliceNode.send('Bob', 'no email', { precedence: 'FLASH' });
    expect(await flash.settled({ signal: AbortSignal.timeout(5_000) })).toBe('delivered');
    expect(current.aliceChannels[1]!.sent).toHaveLength(0);

    current.aliceChannels[0]!.faults.fail = true;
    const stuck = await current.aliceNode.send('Bob', 'still no email', { precedence: 'FLASH', ttl: 1 });
    expect(await stuck.settled({ signal: AbortSignal.timeout(5_000) })).toBe('expired');
    expect(current.aliceChannels[1]!.sent).toHaveLength(0);

    const node = createNode({ identity: generateIdentity(), contacts: [bob.card], store: memoryStore(), channels: current.aliceChannels, policy: { forbid: { recipient: { [bob.card.fingerprint]: ['mqtt:', 'email:'] } } } });
    await node.start();
    const forbidden = await node.send(bob.card, 'nowhere');
    expect(await forbidden.settled({ signal: AbortSignal.timeout(5_000) })).toBe('failed');
    expect((await node.outbox())[0]?.failure?.code).toBe('FORBIDDEN_CHANNEL');
    await node.stop();
  });

  it('stops all work at expiry and reports expired', async () => {
    current = await pair(['a']);
    current.aliceChannels[0]!.faults.fail = true;
    const handle = await current.aliceNode.send('Bob', 'x', { ttl: 1 });
    expect(await handle.settled({ signal: AbortSignal.timeout(5_000) })).toBe('expired');
    const attempts = current.aliceChannels[0]!.sent.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(current.aliceChannels[0]!.sent.length).toBe(attempts);
  });
});

describe('deduplication and redelivery', () => {
  it('hands each message to the application once despite duplicates and reordering', async () => {
    current = await pair(['a', 'b'], { ...FAST, fanOut: ['FLASH', 'IMMEDIATE', 'PRIORITY', 'ROUTINE'] });
    for (const channel of current.aliceChannels) {
      channel.faults.duplicate = true;
      channel.faults.reorderMs = 30;
    }
    const handles = await Promise.all(Array.from({ length: 20 }, (_, index) => current!.aliceNode.send('Bob', `n${index}`)));
    const received = await receive(current.bobNode, 20);
    await Promise.all(handles.map((handle) => handle.settled({ signal: AbortSignal.timeout(5_000) })));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received.map((message) => message.text).sort()).toEqual(Array.from({ length: 20 }, (_, index) => `n${index}`).sort());
    expect(await current.bobStore.listInbox()).toHaveLength(0);
  });

  it('hands out an unacknowledged message again after a restart, and an acknowledged one never', async () => {
    current = await pair(['a']);
    await current.aliceNode.send('Bob', 'first');
    await current.aliceNode.send('Bob', 'second');
    const signal = AbortSignal.timeout(5_000);
    const got: string[] = [];
    for await (const message of current.bobNode.messages({ signal })) {
      got.push(message.text);
      if (message.text === 'first') await message.ack();
      if (got.length === 2) break;
    }
    await current.bobNode.stop();
    const again = createNode({ identity: current.bob, contacts: [current.alice.card], store: current.bobStore, channels: [], policy: FAST });
    await again.start();
    const [redelivered] = await receive(again, 1, 1_000);
    expect(redelivered?.text).toBe('second');
    await again.stop();
  });

  it('opens each envelope as of the receivedAt its channel gives, not as of when the node gets to it', async () => {
    current = await pair(['a']);
    const events: NodeEvent[] = [];
    current.bobNode.subscribe((event) => events.push(event));
    // A second channel into Bob's node whose deliver the test calls itself, like a spool read long after it was written.
    const late = current.medium.channel('late');
    let deliver: ((envelope: InboundEnvelope) => Promise<void>) | undefined;
    const startLate = late.start.bind(late);
    late.start = (options) => {
      deliver = options.deliver;
      return startLate(options);
    };
    const bobNode = createNode({ identity: current.bob, contacts: [current.alice.card], store: memoryStore(), channels: [late], policy: FAST });
    await bobNode.start();
    bobNode.subscribe((event) => events.push(event));
    const sealedAt = Date.now() - 3_600_000;
    // Expired 50 minutes ago, far beyond the 300 s skew; valid when it was received.
    const keptInSpool = seal('kept in a spool', { from: current.alice, to: current.bob.card, ttl: 600, now: sealedAt });
    await deliver!({ bytes: keptInSpool, channel: 'late', receivedAt: sealedAt + 60_000 });
    expect((await receive(bobNode, 1))[0]?.text).toBe('kept in a spool');
    const receivedNow = seal('received now', { from: current.alice, to: current.bob.card, ttl: 600, now: sealedAt });
    await deliver!({ bytes: receivedNow, channel: 'late', receivedAt: Date.now() }).catch(() => undefined);
    await waitUntil(() => events.some((event) => event.type === 'rejected'));
    expect(events.find((event) => event.type === 'rejected')).toMatchObject({ code: 'EXPIRED', channel: 'late' });
    await bobNode.stop();
  });

  it('refuses envelopes from unknown senders and reports them', async () => {
    current = await pair(['a']);
    const events: NodeEvent[] = [];
    current.bobNode.subscribe((event) => events.push(event));
    const stranger = createNode({ identity: generateIdentity(), contacts: [current.bob.card], store: memoryStore(), channels: [current.medium.channel('a')], policy: FAST });
    await stranger.start();
    await stranger.send(current.bob.card, 'hello?');
    await waitUntil(() => events.some((event) => event.type === 'rejected'));
    expect(events.find((event) => event.type === 'rejected')).toMatchObject({ code: 'UNKNOWN_SENDER', channel: 'a' });
    await stranger.stop();
  });
});
