import { DeliverPolicy, jetstream, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Reads the mail stream in order from its first message on, then every new one as it is stored, by whichever relay:
 * an ordered consumer, which the client recreates where it left off after a lost connection or a leader change.
 * The store's view in memory is built from it, and a recipient connected here hears at once of mail deposited
 * through another relay.
 */
export interface StreamTail {
  /** Resolves once every message stored before the tail started has been read. */
  readonly loaded: Promise<void>;
  stop(): Promise<void>;
}

/** How often the tail checks, while loading, whether what it has not read yet was removed meanwhile. */
const LOAD_CHECK_MS = 500;

/**
 * What the tail must read before it is loaded: the stream's last seq when it started (asked of the stream's
 * leader), and a way to find the first message at or after a seq (undefined: none is left), for when the
 * last ones were removed before the tail reached them.
 */
export interface TailTarget {
  readonly lastSeq: number;
  firstFrom(seq: number): Promise<number | undefined>;
}

export async function tailStream(connection: NatsConnection, stream: string, target: TailTarget, onMessage: (message: JsMsg) => void): Promise<StreamTail> {
  const client = jetstream(connection);
  const consumer = await client.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  // Short pulls with frequent heartbeats: after the stream leader's crash, two missed heartbeats (2 s) make the
  // client recreate the consumer on the new leader, instead of the default's half minute of silence.
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 512, expires: 5_000, idle_heartbeat: 1_000 });
  let lastRead = 0;
  let loadedResolve!: () => void;
  let isLoaded = false;
  const loaded = new Promise<void>((resolve) => (loadedResolve = resolve)).then(() => void (isLoaded = true));
  // A message's own count of those pending after it is not enough: a consumer placed on a replica still
  // catching up counts none while the leader holds more. Loaded once the leader's last seq is read, or gone.
  const check = async (): Promise<void> => {
    if (isLoaded) return;
    if (lastRead >= target.lastSeq) return loadedResolve();
    const next = await target.firstFrom(lastRead + 1).catch(() => lastRead + 1);
    if (next === undefined || next > target.lastSeq) loadedResolve();
  };
  const checking = setInterval(() => void check(), LOAD_CHECK_MS).unref();
  void loaded.then(() => clearInterval(checking));
  await check();
  const running = (async () => {
    for await (const message of messages) {
      lastRead = Math.max(lastRead, message.seq);
      onMessage(message);
      if (!isLoaded && lastRead >= target.lastSeq) loadedResolve();
    }
  })();
  return {
    loaded,
    async stop() {
      clearInterval(checking);
      await messages.close();
      await running.catch(() => undefined);
    },
  };
}
