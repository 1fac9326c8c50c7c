import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { keyOf, type OpenPath } from '../relay/paths.js';

/**
 * The baseline: the same envelope bytes through bare JetStream with the same replication, no relay. The sender
 * publishes and waits for the stream's acknowledgement (stored on a quorum of replicas, what the relay's ACCEPTED
 * waits for); the receiver consumes with a durable consumer and acknowledges each message, which removes it from
 * the work-queue stream (what the recipient's ACK does at the relay). Two connections, as the relay path has.
 */
export async function jetStreamPath(servers: readonly string[], replicas: number, envelopes: readonly Uint8Array[]): Promise<OpenPath> {
  const index = new Map(envelopes.map((envelope, position) => [keyOf(envelope), position]));
  let arrival: (index: number) => void = () => undefined;
  const publisher = await connect({ servers: [...servers] });
  const subscriber = await connect({ servers: [...servers] });
  const manager = await jetstreamManager(publisher);
  const stream = 'BENCH_BARE';
  await manager.streams.add({ name: stream, subjects: ['bench.bare.*'], num_replicas: replicas, storage: StorageType.File, retention: RetentionPolicy.Workqueue });
  await manager.consumers.add(stream, { durable_name: 'receiver', ack_policy: AckPolicy.Explicit, max_ack_pending: 4096 });
  const client = jetstream(publisher);
  const consumer = await jetstream(subscriber).consumers.get(stream, 'receiver');
  const messages = await consumer.consume({ max_messages: 256 });
  const receiving = (async () => {
    for await (const message of messages) {
      arrival(index.get(keyOf(message.data)) ?? -1);
      message.ack();
    }
  })();
  return {
    path: { send: (position) => client.publish('bench.bare.mailbox', envelopes[position]!), onArrival: (callback) => void (arrival = callback) },
    async close() {
      await messages.close();
      await receiving.catch(() => undefined);
      await manager.streams.delete(stream).catch(() => undefined);
      await subscriber.close();
      await publisher.close();
    },
  };
}
