import { DeliverPolicy, jetstream, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Tells every relay of the cluster which entries were removed through one of them (acknowledged or expired), so
 * each keeps its view and its counts right: JetStream reports no deletions to consumers. One small message per
 * event-loop turn of removals, in a stream `<NAME>_GONE` kept a day; every relay tails it from the moment it
 * starts (what was removed before it started is not in the stream it reads at start anyway). A relay that misses
 * a notice (cut off for more than a day) still finds the entry gone when it next lists or expires it.
 */
export interface RemovalNotices {
  /** Announces these removed entries to the other relays (in the background, batched per turn). */
  announce(entries: readonly (readonly [string, number])[]): void;
  stop(): Promise<void>;
}

const KEEP_NS = 86_400 * 1e9;

export async function removalNotices(connection: NatsConnection, manager: JetStreamManager, name: string, replicas: number, removed: (tag: string, seq: number) => void): Promise<RemovalNotices> {
  const stream = `${name}_GONE`;
  const subject = `${name.toLowerCase()}.gone`;
  const existing = await manager.streams.info(stream).catch(() => undefined);
  if (existing === undefined) await manager.streams.add({ name: stream, subjects: [subject], num_replicas: replicas, storage: StorageType.File, retention: RetentionPolicy.Limits, max_age: KEEP_NS });
  const client = jetstream(connection);
  const consumer = await client.consumers.get(stream, { deliver_policy: DeliverPolicy.New });
  const messages = await consumer.consume({ max_messages: 256, expires: 5_000, idle_heartbeat: 1_000 });
  const running = (async () => {
    for await (const message of messages) {
      for (const line of message.string().split('\n')) {
        const cut = line.lastIndexOf(':');
        const seq = Number(line.slice(cut + 1));
        if (cut > 0 && Number.isSafeInteger(seq)) removed(line.slice(0, cut), seq);
      }
    }
  })();
  let batch: string[] = [];
  return {
    announce(entries) {
      if (entries.length === 0) return;
      if (batch.length === 0) {
        setImmediate(() => {
          const text = batch.join('\n');
          batch = [];
          client.publish(subject, text).catch(() => undefined);
        });
      }
      for (const [tag, seq] of entries) batch.push(`${tag}:${seq}`);
    },
    async stop() {
      await messages.close();
      await running.catch(() => undefined);
    },
  };
}
