import { afterEach, describe, expect, it } from 'vitest';
import { CapacityError, type NodeEvent, type ReceivedMessage } from '@herald/core';
import { messageQueue } from '../../src/node/received.js';
import { pair, waitUntil, type Pair } from './fixtures.js';

let current: Pair | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

const fakeMessage = (id: string): ReceivedMessage => ({ id } as ReceivedMessage);

describe('the received-message queue', () => {
  it('refuses a place past its limit with CAPACITY_EXCEEDED (retryable); an ack or an unused place frees one', () => {
    const queue = messageQueue(2);
    const first = queue.reserve('a')!;
    const second = queue.reserve('b')!;
    const error = (() => {
      try {
        queue.reserve('c');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CapacityError);
    expect(error).toMatchObject({ code: 'CAPACITY_EXCEEDED', retryable: true });
    first.fill(fakeMessage('a'));
    second.release();
    second.release(); // idempotent: frees one place, not two
    expect(queue.size).toBe(1);
    expect(queue.reserve('a')).toBeUndefined(); // a copy of a queued message needs no place
    queue.reserve('c');
    expect(() => queue.reserve('d')).toThrow(CapacityError);
    expect(queue.reserve('d', true)).toBeDefined(); // the stored inbox at start is queued whatever the limit
    expect(queue.size).toBe(3);
    first.release(); // the application acked 'a'
    expect(queue.size).toBe(2);
  });

  it('holds back the message past maxReceivedMessages unstored and unacked, says so once, and takes it when the application drains; nothing is lost or doubled', async () => {
    current = await pair(['a'], undefined, { bob: { maxReceivedMessages: 2 } });
    const errors: Error[] = [];
    current.bobNode.subscribe((event: NodeEvent) => void (event.type === 'error' && errors.push(event.error)));
    const handles = [];
    for (const text of ['one', 'two', 'three']) handles.push(await current.aliceNode.send('Bob', text));
    const taken: ReceivedMessage[] = [];
    const reading = (async () => {
      for await (const message of current.bobNode.messages({ signal: AbortSignal.timeout(20_000) })) {
        taken.push(message);
        if (taken.length === 3) return;
      }
    })();
    await waitUntil(() => taken.length === 2);
    // Several retransmissions (ack deadline 300 ms) come and are refused: the third is neither stored nor acked.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(taken).toHaveLength(2);
    expect(await current.bobStore.listInbox()).toHaveLength(2);
    const statuses = handles.map((handle) => handle.status);
    expect(statuses.filter((status) => status === 'delivered')).toHaveLength(2);
    expect(errors.filter((error) => error instanceof CapacityError)).toHaveLength(1);
    for (const message of taken) await message.ack();
    await reading;
    expect(taken.map((message) => message.text).sort()).toEqual(['one', 'three', 'two']);
    await taken[2]!.ack();
    for (const handle of handles) expect(await handle.settled({ signal: AbortSignal.timeout(5_000) })).toBe('delivered');
    expect(await current.bobStore.listInbox()).toHaveLength(0);
  });

  it('acks again a copy of a message that waits for the application, although the queue is full', async () => {
    current = await pair(['a'], undefined, { bob: { maxReceivedMessages: 1 } });
    const bobsChannel = current.bobChannels[0]!;
    bobsChannel.faults.drop = true; // Bob's first ack is accepted by the channel and lost
    const handle = await current.aliceNode.send('Bob', 'ack lost once');
    await waitUntil(() => bobsChannel.sent.length === 1);
    bobsChannel.faults.drop = false;
    // Alice resends at her ack deadline (300 ms); the copy finds the queue full, and is acked all the same.
    expect(await handle.settled({ signal: AbortSignal.timeout(5_000) })).toBe('delivered');
    expect(await current.bobStore.listInbox()).toHaveLength(1);
  });

  it('still applies acks while the application is behind', async () => {
    current = await pair(['a'], undefined, { bob: { maxReceivedMessages: 1 } });
    await current.aliceNode.send('Bob', 'fills the queue');
    await waitUntil(async () => (await current!.bobStore.listInbox()).length === 1);
    // Bob's own message to Alice is delivered: Alice's ack reaches Bob's node although its queue is full.
    const fromBob = await current.bobNode.send('Alice', 'from Bob');
    expect(await fromBob.settled({ signal: AbortSignal.timeout(5_000) })).toBe('delivered');
  });
});
