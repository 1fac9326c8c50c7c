import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type StreamInfo } from '@nats-io/jetstream';
import { startNatsCluster, type NatsCluster } from '@herald/relay/testing';

/**
 * The test harness itself, on the real nats-server: three processes form one JetStream cluster, a stream with
 * three replicas keeps every acknowledged message through the crash of one node (its leader, the hardest case),
 * and the node comes back and catches up.
 */
let cluster: NatsCluster;
let connection: NatsConnection;

beforeAll(async () => {
  cluster = await startNatsCluster();
  connection = await connect({ servers: cluster.nodes.map((node) => node.url), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
}, 60_000);

afterAll(async () => {
  await connection?.close();
  await cluster?.close();
});

/** Retried: right after a crash, the API answers only once a new meta leader is elected. */
function streamInfo(name: string): Promise<StreamInfo> {
  return retrying(async () => (await jetstreamManager(connection)).streams.info(name));
}

describe('a three-node nats-server cluster', () => {
  it('forms one JetStream cluster with a meta leader every node agrees on', async () => {
    const views = await Promise.all(cluster.nodes.map(async (node) => JSON.parse((await node.monitor('/jsz')).text) as { meta_cluster: { name: string; leader: string; cluster_size: number } }));
    expect(new Set(views.map((view) => view.meta_cluster.leader)).size).toBe(1);
    expect(views.map((view) => view.meta_cluster.cluster_size)).toEqual([3, 3, 3]);
    expect(cluster.nodes.map((node) => node.name)).toContain(views[0]!.meta_cluster.leader);
  });

  it('stores with three replicas and keeps every acknowledged message through the SIGKILL of the stream leader', async () => {
    const manager = await jetstreamManager(connection);
    await manager.streams.add({ name: 'HARNESS', subjects: ['harness.>'], num_replicas: 3 });
    const client = jetstream(connection);
    const sent: string[] = [];
    for (let index = 0; index < 50; index++) {
      const body = `before ${index}`;
      const ack = await client.publish('harness.a', body);
      expect(ack.stream).toBe('HARNESS');
      sent.push(body);
    }
    const before = await streamInfo('HARNESS');
    expect(before.config.num_replicas).toBe(3);
    expect(before.cluster?.replicas?.length).toBe(2);
    expect(before.cluster?.replicas?.every((replica) => replica.current)).toBe(true);

    const leader = cluster.nodes.find((node) => node.name === before.cluster?.leader);
    expect(leader).toBeDefined();
    await leader!.stop('SIGKILL');
    // Two of three still form a quorum: publishing goes on once a new leader is elected (the client retries).
    for (let index = 0; index < 50; index++) {
      const body = `after ${index}`;
      await retrying(() => client.publish('harness.a', body, { msgID: body }));
      sent.push(body);
    }
    const during = await streamInfo('HARNESS');
    expect(during.cluster?.leader).not.toBe(leader!.name);

    await leader!.start();
    await cluster.ready();
    const after = await streamInfo('HARNESS');
    expect(after.state.messages).toBe(100);
    expect(after.cluster?.replicas?.find((replica) => replica.name === leader!.name)?.current).toBe(true);

    const consumer = await client.consumers.get('HARNESS');
    const read: string[] = [];
    const messages = await consumer.fetch({ max_messages: 100, expires: 5000 });
    for await (const message of messages) read.push(message.string());
    expect(read).toEqual(sent);
  });
});

/** A request during a leader election answers "no responders" or times out for a moment; bounded retries. */
async function retrying<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
