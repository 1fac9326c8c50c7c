import { describe, expect, it } from 'vitest';
import { createNode, generateIdentity, HeraldError, memoryStore, type Transport, type TransportStartOptions } from '@herald/core';
import { FAST, pair, waitUntil } from './fixtures.js';

/** A channel whose start lasts until its signal aborts (or `finishStart`), and whose stop lasts until `finishStop`. */
function slowChannel(name = 'slow') {
  const calls: string[] = [];
  let finishStart = (): void => {};
  let finishStop = (): void => {};
  const transport: Transport = {
    name,
    capabilities: { maxEnvelopeBytes: 1 << 20, requiresPeerOnline: false, storeAndForward: true, delivery: 'push' },
    async start(options: TransportStartOptions) {
      calls.push('start');
      await new Promise<void>((resolve) => {
        finishStart = resolve;
        options.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    },
    async stop() {
      calls.push('stop');
      await new Promise<void>((resolve) => (finishStop = resolve));
    },
    async send() {
      return { channel: name, acceptedAt: Date.now() };
    },
    health: () => ({ state: 'up', since: 0 }),
    subscribe: () => () => {},
  };
  return { transport, calls, finishStart: () => finishStart(), finishStop: () => finishStop() };
}

/** The promise's value, or 'still waiting' after `ms`: a broken node fails the test instead of hanging it. */
const within = <T>(promise: Promise<T>, ms = 5_000): Promise<T | 'still waiting'> => Promise.race([promise, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms).unref())]);

const bob = generateIdentity({ label: 'Bob' });
const nodeWith = (transport: Transport) => createNode({ identity: generateIdentity({ label: 'Alice' }), contacts: [bob.card], store: memoryStore(), channels: [transport], policy: FAST });

describe('node lifecycle and signals', () => {
  it('refuses a send whose signal is already aborted with ABORTED, and stores nothing', async () => {
    const current = await pair(['a']);
    try {
      const error = await current.aliceNode.send('Bob', 'x', { signal: AbortSignal.abort() }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HeraldError);
      expect(error).toMatchObject({ code: 'ABORTED', retryable: false });
      expect(await current.aliceNode.outbox()).toEqual([]);
      expect(current.aliceChannels[0]!.sent).toEqual([]);
    } finally {
      await current.stop();
    }
    // After stop, NODE_STOPPED whatever the signal.
    await expect(current.aliceNode.send('Bob', 'x', { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'NODE_STOPPED' });
  });

  it('rejects start with ABORTED when its signal is already aborted, starts nothing, and can start afterwards', async () => {
    const slow = slowChannel();
    const node = nodeWith(slow.transport);
    await expect(node.start({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(slow.calls).toEqual([]);
    const starting = node.start();
    await waitUntil(() => slow.calls.includes('start'));
    slow.finishStart();
    await starting;
    expect(slow.calls).toEqual(['start']);
    const stopping = node.stop();
    await waitUntil(() => slow.calls.includes('stop'));
    slow.finishStop();
    await stopping;
  });

  it('stops the node, its channels included, when the start signal aborts during start; start then rejects with ABORTED', async () => {
    const slow = slowChannel();
    const node = nodeWith(slow.transport);
    const controller = new AbortController();
    const starting = node.start({ signal: controller.signal }).catch((caught: unknown) => caught);
    await waitUntil(() => slow.calls.includes('start'));
    controller.abort();
    // The channel's start saw its signal abort, and the node stops it; start waits for that.
    await waitUntil(() => slow.calls.includes('stop'));
    slow.finishStop();
    expect(await within(starting)).toMatchObject({ code: 'ABORTED' });
    await expect(node.send('Bob', 'x')).rejects.toMatchObject({ code: 'NODE_STOPPED' });
    await expect(node.start()).rejects.toMatchObject({ code: 'NODE_STOPPED' });
  });

  it('stops a running node when its start signal aborts later: messages() ends, sends are refused', async () => {
    const current = await pair(['a']);
    const controller = new AbortController();
    const node = createNode({ identity: generateIdentity(), contacts: [current.bob.card], store: memoryStore(), channels: [current.medium.channel('a')], policy: FAST });
    await node.start({ signal: controller.signal });
    const iterating = (async () => {
      for await (const message of node.messages()) void message;
      return 'ended';
    })();
    controller.abort();
    expect(await within(iterating)).toBe('ended');
    await expect(node.send('Bob', 'x')).rejects.toMatchObject({ code: 'NODE_STOPPED' });
    await node.stop();
    await current.stop();
  });

  it("stop's signal cuts the wait for a channel that does not stop short; the node is stopped either way", async () => {
    const slow = slowChannel();
    const node = nodeWith(slow.transport);
    const starting = node.start();
    await waitUntil(() => slow.calls.includes('start'));
    slow.finishStart();
    await starting;
    const controller = new AbortController();
    let stopped = false;
    const stopping = node.stop({ signal: controller.signal }).then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false); // waiting for the channel
    await expect(node.send('Bob', 'x')).rejects.toMatchObject({ code: 'NODE_STOPPED' });
    controller.abort();
    await within(stopping);
    expect(stopped).toBe(true);
    // A second stop is the same stop.
    expect(node.stop()).toBe(node.stop());
    slow.finishStop();
  });
});
