import { afterAll, describe, expect, it } from 'vitest';
import { collectedEpochTags, epochOf, generateIdentity, toHex } from '@herald/core';
import { epochIdentity } from './helpers/epoch-mail.js';
import { delivered, startNode, until, type TestNode } from './helpers/nodes.js';
import { removeTempDirs, spawnRelay } from './helpers/relay-process.js';

/**
 * Real nodes over the WebSocket transport and a real relay: Bob's version-2 card has 3-second epochs, so his node
 * moves its tags (updateRoutingTags) while Alice writes to him across several epochs.
 */
const EPOCH_SECONDS = 3;
const RETAIN_SECONDS = 6;
const nodes: TestNode[] = [];
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  await removeTempDirs();
});

describe('epoch tags end to end (real relay process, real nodes)', () => {
  it('delivers every message once across 3 epochs, acks come back, and the relay logs none of Bob’s tags', async () => {
    const relay = await spawnRelay({ config: { logLevel: 'debug' } });
    const alice = generateIdentity();
    const bob = epochIdentity(EPOCH_SECONDS);
    const a = await startNode(alice, [bob], [relay.url]);
    const b = await startNode(bob, [alice], [relay.url], { epochTags: { retainSeconds: RETAIN_SECONDS } });
    nodes.push(a, b);
    const seen = new Set<string>();
    const epochs: number[] = [];
    for (let step = 0; step < 3; step++) {
      const epoch = epochOf(Date.now(), EPOCH_SECONDS);
      epochs.push(epoch);
      for (const tag of collectedEpochTags({ ...bob.card, epochSeconds: EPOCH_SECONDS }, Date.now(), RETAIN_SECONDS)) seen.add(toHex(tag));
      await a.node.send(bob.card, `epoch step ${step}`);
      await until(`message ${step} to reach Bob`, () => b.received.length === step + 1, 10_000);
      await until('the next epoch', () => epochOf(Date.now(), EPOCH_SECONDS) > epoch, 5_000);
    }
    expect(new Set(epochs).size).toBe(3);
    expect(b.received).toEqual(['epoch step 0', 'epoch step 1', 'epoch step 2']);
    await until('Alice to see all three acked', () => delivered(a, 3), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(b.received).toHaveLength(3);
    await Promise.all([a.stop(), b.stop()]);
    await relay.kill('SIGTERM');
    const logs = relay.logs();
    expect(logs).toContain('relay started');
    expect(seen.size).toBeGreaterThanOrEqual(4);
    for (const tag of [...seen, toHex(bob.card.routingTag), toHex(bob.card.signingPublicKey)]) expect(logs.includes(tag)).toBe(false);
    expect(logs.includes(bob.card.fingerprint)).toBe(false);
  }, 60_000);
});
