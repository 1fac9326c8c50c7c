/**
 * The node's epoch tag schedule (docs/protocol.md section 5.4) with 2-second epochs on the in-memory medium:
 * the channels' tag set moves at each boundary (updateRoutingTags, or a restart for a channel without it), and
 * messages sealed in one epoch are delivered after the recipient moved on, each once, acks included.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createNode, epochOf, epochTagFor, generateIdentity, memoryStore, toHex, type HeraldNode, type HeraldStore, type Identity, type NodeEvent } from '@herald/core';
import { expectCode } from '../helpers.js';
import { FAST, receive, waitUntil } from './fixtures.js';
import { memoryMedium, type Medium, type TestChannel } from './memory-transport.js';

const EPOCH_SECONDS = 2;
const RETAIN_SECONDS = 6;
const epochNow = (): number => epochOf(Date.now(), EPOCH_SECONDS);
/** Waits for the start of the epoch after the current one (bounded: one epoch and a margin). */
const nextEpoch = async (): Promise<number> => {
  const target = epochNow() + 1;
  await waitUntil(() => epochNow() >= target, 4_000);
  return target;
};

let nodes: HeraldNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  nodes = [];
});

function startNode(medium: Medium, identity: Identity, contact: Identity, options: { store?: HeraldStore; updatable: boolean; events?: NodeEvent[] }): { node: HeraldNode; channel: TestChannel } {
  const channel = medium.channel('relay', { updatable: options.updatable });
  const node = createNode({ identity, contacts: [contact.card], store: options.store ?? memoryStore(), channels: [channel], policy: FAST, epochTags: { retainSeconds: RETAIN_SECONDS } });
  if (options.events) node.subscribe((event) => void options.events!.push(event));
  nodes.push(node);
  return { node, channel };
}

describe.each([
  { updatable: true, label: 'with' },
  { updatable: false, label: 'without' },
])('epoch tags on a channel $label updateRoutingTags', ({ updatable, label }) => {

  it(`moves the collected set at each boundary and loses nothing across three epochs (${label})`, async () => {
    const medium = memoryMedium();
    const alice = generateIdentity({ label: 'Alice', epochSeconds: EPOCH_SECONDS });
    const bob = generateIdentity({ label: 'Bob', epochSeconds: EPOCH_SECONDS });
    const events: NodeEvent[] = [];
    const a = startNode(medium, alice, bob, { updatable });
    const b = startNode(medium, bob, alice, { updatable, events });
    await a.node.start();
    await b.node.start();
    const first = epochNow();
    expect(b.channel.tagSets[0]).toContain(toHex(epochTagFor(bob.card, first)));
    expect(b.channel.tagSets[0]).not.toContain(toHex(bob.card.routingTag));

    const handles = [await a.node.send('Bob', `epoch ${first}`)];
    // Sealed now, accepted by the medium after the next boundary: it arrives at a mailbox of the epoch just left.
    a.channel.faults.acceptAfterMs = 2_500;
    handles.push(await a.node.send('Bob', 'in transit'));
    await nextEpoch();
    a.channel.faults.acceptAfterMs = 0;
    handles.push(await a.node.send('Bob', 'second epoch'));
    await nextEpoch();
    handles.push(await a.node.send('Bob', 'third epoch'));

    const texts = (await receive(b.node, 4, 10_000)).map((message) => message.text);
    expect(texts.sort()).toEqual(['epoch ' + first, 'in transit', 'second epoch', 'third epoch'].sort());
    // Acks went to Alice's epoch tags (she is version 2 too): every message ends delivered.
    for (const handle of handles) expect(await handle.settled({ signal: AbortSignal.timeout(10_000) })).toBe('delivered');
    expect(await b.node.flush()).toBe(0);

    const moves = events.filter((event) => event.type === 'routing-tags');
    expect(moves.length).toBeGreaterThanOrEqual(2);
    for (const move of moves) expect(Object.keys(move).sort()).toEqual(['added', 'count', 'removed', 'type']);
    const last = b.channel.tagSets.at(-1)!;
    expect(last).toContain(toHex(epochTagFor(bob.card, epochNow())));
    expect(last.length).toBeLessThanOrEqual(5);
    expect(moves.at(-1)).toMatchObject({ count: last.length });
  });

  it(`delivers, once each, what was sealed two epochs before the recipient came online (${label})`, async () => {
    const medium = memoryMedium();
    const alice = generateIdentity({ label: 'Alice', epochSeconds: EPOCH_SECONDS });
    const bob = generateIdentity({ label: 'Bob', epochSeconds: EPOCH_SECONDS });
    const a = startNode(medium, alice, bob, { updatable });
    await a.node.start();
    const handles = [await a.node.send('Bob', 'one'), await a.node.send('Bob', 'two')];
    await waitUntil(() => a.channel.sent.length >= 2);
    await nextEpoch();
    await nextEpoch();
    const b = startNode(medium, bob, alice, { updatable });
    await b.node.start();
    const received = await receive(b.node, 2, 10_000);
    expect(received.map((message) => message.text).sort()).toEqual(['one', 'two']);
    for (const handle of handles) expect(await handle.settled({ signal: AbortSignal.timeout(10_000) })).toBe('delivered');
    // Nothing more comes: no copy is delivered twice.
    expect(await receive(b.node, 1, 500).catch(() => [])).toEqual([]);
  });
});

describe('epoch tag configuration', () => {
  it('refuses a window of more than 64 epochs, and a bad retainSeconds', async () => {
    const short = generateIdentity({ epochSeconds: EPOCH_SECONDS });
    const make = (epochTags?: object) => () => createNode({ identity: short, store: memoryStore(), channels: [], ...(epochTags ? { epochTags } : {}) });
    // The default 30 days of 2-second epochs.
    await expectCode(make(), 'INVALID_OPTIONS');
    await expectCode(make({ retainSeconds: 130 }), 'INVALID_OPTIONS');
    expect(make({ retainSeconds: 120 })).not.toThrow();
    await expectCode(make({ retainSeconds: -1 }), 'INVALID_OPTIONS');
    // A version-1 identity ignores the window (its static tag never moves).
    expect(() => createNode({ identity: generateIdentity(), store: memoryStore(), channels: [], epochTags: { retainSeconds: 10 ** 9 } })).not.toThrow();
  });
});
