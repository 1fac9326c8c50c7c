import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '@herald/core';
import { startNatsCluster, type NatsCluster } from '@herald/relay/testing';
import { delivered, startNode, until, type TestNode } from './helpers/nodes.js';
import { removeTempDirs, restartRelay, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/**
 * Relay processes on one real three-node JetStream cluster (`--store nats://…`), with real nodes on either side:
 * mail deposited through one relay reaches a recipient connected to the other at once (pushed), an offline
 * recipient collects later through either, and the crash of a NATS node and then of a relay mid-traffic loses
 * nothing and hands nothing twice to either application.
 */
let cluster: NatsCluster;
const relays: RelayProcess[] = [];
const nodes: TestNode[] = [];

beforeAll(async () => {
  cluster = await startNatsCluster();
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  await Promise.all(relays.map((relay) => relay.kill('SIGKILL')));
  await cluster?.close();
  await removeTempDirs();
});

/** A relay on the cluster; `name` separates the tests' mailboxes (every relay given the same name shares them). */
async function relay(name: string): Promise<RelayProcess> {
  const started = await spawnRelay({ args: ['--store', cluster.url, '--store-replicas', '3'], config: { heartbeatIntervalMs: 1000, store: { servers: cluster.url, name, requestTimeoutMs: 20_000 } } });
  relays.push(started);
  return started;
}

async function node(...args: Parameters<typeof startNode>): Promise<TestNode> {
  const started = await startNode(...args);
  nodes.push(started);
  return started;
}

describe('two relays on one NATS JetStream cluster', () => {
  it('pushes to a recipient on relay B what was deposited through relay A, and holds mail for an offline one', async () => {
    const [a, b] = [await relay('EXCHANGE'), await relay('EXCHANGE')];
    expect((await a.get('/healthz')).status).toBe(200);
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    const carol = generateIdentity({ label: 'Carol' });
    const sender = await node(alice, [bob, carol], [a.url]);
    const bobOnB = await node(bob, [alice], [b.url]);
    for (let index = 0; index < 5; index++) await sender.node.send(bob.card, `to Bob ${index}`);
    await until('Bob, on relay B, to get the 5 deposited on relay A', () => bobOnB.received.length >= 5);
    // Carol is offline: her mail waits in the cluster, and she collects it later through relay B.
    for (let index = 0; index < 3; index++) await sender.node.send(carol.card, `to Carol ${index}`);
    await until('relay A to hold Carol’s 3', async () => (await a.metric('herald_relay_envelopes_in_total')) === 8);
    const carolOnB = await node(carol, [alice], [b.url]);
    await until('Carol to collect her 3 through relay B', () => carolOnB.received.length >= 3);
    await until('Alice to see all 8 delivered', () => delivered(sender, 8));
    expect([...bobOnB.received].sort()).toEqual(Array.from({ length: 5 }, (_, index) => `to Bob ${index}`));
    expect([...carolOnB.received].sort()).toEqual(Array.from({ length: 3 }, (_, index) => `to Carol ${index}`));
    // Relay B pushed the 8 it heard of from the cluster; the acknowledgements Bob and Carol deposited through B
    // reached Alice on relay A the same way (Alice saw all 8 delivered).
    expect(await b.metric('herald_relay_envelopes_out_total')).toBeGreaterThanOrEqual(8);
    expect(await a.metric('herald_relay_envelopes_out_total')).toBeGreaterThanOrEqual(1);
  });

  it('loses nothing and duplicates nothing when a NATS node, then a relay, is SIGKILLed mid-traffic', async () => {
    let a = await relay('CRASHES');
    const b = await relay('CRASHES');
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    // Alice deposits through either relay, Bob collects from either: a load balancer's view of two relays.
    const sender = await node(alice, [bob], [a.url, b.url]);
    const receiver = await node(bob, [alice], [b.url, a.url]);
    const texts = Array.from({ length: 80 }, (_, index) => `message ${index}`);
    const sending = (async () => {
      for (const text of texts) {
        await sender.node.send(bob.card, text);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await until('some traffic to have flowed', () => receiver.received.length >= 10);
    await cluster.nodes[0]!.stop('SIGKILL');
    try {
      await until('more traffic after the NATS node died', () => receiver.received.length >= 30, 40_000);
      await a.kill('SIGKILL');
      a = await restartRelay(a, { args: ['--store', cluster.url], config: { heartbeatIntervalMs: 1000, store: { servers: cluster.url, name: 'CRASHES', requestTimeoutMs: 20_000 } } });
      relays.push(a);
      await sending;
      await until('Bob to receive all 80', () => receiver.received.length >= texts.length, 60_000);
      await until('Alice to see all 80 delivered', () => delivered(sender, texts.length), 60_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(receiver.received.length, 'messages handed to Bob (no duplicates)').toBe(texts.length);
      expect(new Set(receiver.received)).toEqual(new Set(texts));
    } finally {
      // The next test needs the whole cluster, whatever became of this one.
      await cluster.start();
      await cluster.ready(60_000);
    }
  }, 180_000);

  it('keeps every stored envelope through a SIGKILL and restart of the whole cluster; the relays reconnect by themselves', async () => {
    const [a, b] = [await relay('RESTART'), await relay('RESTART')];
    const alice = generateIdentity({ label: 'Alice' });
    const carol = generateIdentity({ label: 'Carol' });
    const sender = await node(alice, [carol], [a.url]);
    const texts = Array.from({ length: 10 }, (_, index) => `kept ${index}`);
    for (const text of texts) await sender.node.send(carol.card, text);
    await until('relay A to accept all 10', async () => (await a.metric('herald_relay_envelopes_in_total')) === 10);
    await cluster.stop('SIGKILL');
    await until('relay B to report the lost cluster on /healthz', async () => (await b.get('/healthz')).text.includes('degraded'), 30_000);
    await cluster.start();
    await cluster.ready(60_000);
    await until('relay B to be healthy again', async () => (await b.get('/healthz')).text.includes('"ok"'), 30_000);
    const carolOnB = await node(carol, [alice], [b.url]);
    await until('Carol to collect all 10 through relay B', () => carolOnB.received.length >= 10, 40_000);
    await until('Alice to see all 10 delivered', () => delivered(sender, 10), 40_000);
    expect([...carolOnB.received].sort()).toEqual([...texts].sort());
  }, 180_000);
});
