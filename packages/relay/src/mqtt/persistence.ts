import { Readable } from 'node:stream';
import { mqttSessions, type QueueLimits, type SessionState } from './sessions.js';
import type { BrokerRecords } from '../store/broker-records.js';
import type { QueuedCopies } from './broker-metrics.js';

/**
 * The embedded broker's persistence (the Aedes persistence interface, async
 * flavour), durable in the relay's store through its {@link BrokerRecords}
 * (on LMDB: its own folder, `<dataDir>/mqtt`).
 *
 * Why not aedes-persistence-level: under load (a subscriber holding several
 * unacknowledged QoS 1 messages, which is how Herald's transport works) it
 * dropped some of them in tests, PUBACKed to the publisher and never sent to the
 * subscriber. Aedes' in-memory persistence is correct; this keeps the same
 * semantics in memory (sessions.ts) and writes through to the store what a
 * session must not lose:
 *
 * - subscriptions, so a persistent session survives a restart;
 * - queued QoS 1 messages, fsynced before the publisher gets its PUBACK, as a
 *   relay deposit is before ACCEPTED. Aedes writes the PUBACK *before* it hands
 *   the message to the persistence (lib/handlers/publish.js), so the broker
 *   stores it earlier, from its authorizePublish hook (`preStore`), and
 *   `outgoingEnqueueCombi` only files those entries in memory;
 * - their removal on the subscriber's PUBACK: not awaited (a removal lost in a
 *   crash means a redelivery, which Herald's node recognises, never a loss).
 *
 * Packet ids, retained messages, wills and inbound QoS 2 state stay in memory:
 * Herald uses QoS 1 only, refuses retained messages, sends no wills, and a
 * restored message simply gets a new packet id.
 */
export interface BrokerPersistence {
  readonly persistence: unknown;
  /**
   * Stores a QoS 1 publish by client `from` for its topic's subscribers, durably: call before the broker PUBACKs it.
   * Rejects with QueueFullError (nothing stored) when a copy does not fit for every subscriber: then no PUBACK.
   * Resolves with the number of copies queued.
   */
  preStore(from: string, topic: string, payload: Buffer): Promise<number>;
  /** Publishes refused because a queue or quota was full, since start. */
  readonly refusedFull: number;
  /** Sessions holding subscriptions, and one client's topics: what the broker bounds at SUBSCRIBE. */
  readonly sessions: number;
  subscriptionsOf(clientId: string): ReadonlySet<string>;
  /** Copies queued now: for the sessions of the `connected` clients (in flight), and for the others (away). */
  queuedSplit(connected: Iterable<string>): { readonly online: QueuedCopies; readonly offline: QueuedCopies };
  /** `clientId` is connected now (called at its connect and its disconnect): its session's age counts from here. */
  seen(clientId: string, at: number): void;
  /**
   * Ends the sessions of clients not `connected` and last seen before `before`: subscriptions and queued
   * messages, in memory and on disk. Returns how many.
   */
  expire(before: number, connected: (clientId: string) => boolean): Promise<number>;
  close(): Promise<void>;
}

/** Takes `records` over: closing the persistence closes them. */
export async function openBrokerPersistence(records: BrokerRecords, limits: QueueLimits): Promise<BrokerPersistence> {
  const pending = new Set<Promise<unknown>>();
  const background = (write: Promise<unknown>): void => {
    const tracked = write.catch(() => undefined).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };

  const state: SessionState = mqttSessions(limits, {
    storeSubscriptions: (clientId, added, removed) => records.storeSubscriptions(clientId, added, removed),
    storeQueued: (entries) => records.storeQueued(entries),
    dropQueued: (clientId, seq) => background(records.dropQueued(clientId, seq)),
  });
  const stored = await records.load();
  for (const subscription of stored.subscriptions) state.restoreSubscription(subscription);
  for (const { clientId, seq, packet, from } of stored.queued) state.restoreQueued(clientId, seq, packet, from);
  const lastSeen = new Map(stored.seen);
  // A session with no record (written by a version without expiry, or its client's disconnect never recorded before a
  // crash) is as old as this start.
  const startedAt = Date.now();
  for (const clientId of state.sessionIds()) {
    if (lastSeen.has(clientId)) continue;
    lastSeen.set(clientId, startedAt);
    background(records.storeSeen(clientId, startedAt));
  }

  let broker: unknown;
  const persistence = {
    get broker() {
      return broker;
    },
    // Aedes 1.x insists on an async setup (it checks the function's kind).
    async setup(instance: { id: string }) {
      broker = instance;
      state.brokerId = instance.id;
    },
    ...state.api,
    createRetainedStreamCombi: (patterns: string[]) => Readable.from(patterns.flatMap((pattern) => state.retained(pattern))),
    createRetainedStream: (pattern: string) => Readable.from(state.retained(pattern)),
    outgoingStream: (client: { id: string }) => Readable.from(state.queue(client.id)),
    streamWill: (brokers: Record<string, unknown> = {}) => Readable.from(state.willsNotOf(brokers)),
    getClientList: (topic: string) => Readable.from(state.clientsOf(topic)),
    async destroy() {
      await Promise.allSettled(pending);
    },
  };
  return {
    persistence,
    preStore: (from, topic, payload) => state.preStore(from, topic, payload),
    get refusedFull() {
      return state.refusedFull;
    },
    get sessions() {
      return state.sessions;
    },
    subscriptionsOf: (clientId) => state.subscriptionsOf(clientId),
    queuedSplit(connected) {
      const online = { messages: 0, bytes: 0 };
      // Over the connected clients, not every session: far fewer, and walked at each scrape.
      for (const clientId of connected) {
        const held = state.queuedFor(clientId);
        online.messages += held.messages;
        online.bytes += held.bytes;
      }
      return { online, offline: { messages: state.queuedMessages - online.messages, bytes: state.queuedBytes - online.bytes } };
    },
    seen(clientId, at) {
      // Clients without a session leave no trace: ids that come and go must not grow the store.
      if (!state.hasSession(clientId)) return;
      lastSeen.set(clientId, at);
      background(records.storeSeen(clientId, at));
    },
    async expire(before, connected) {
      let expired = 0;
      for (const clientId of state.sessionIds()) {
        if (connected(clientId) || (lastSeen.get(clientId) ?? startedAt) >= before) continue;
        await state.forget(clientId);
        expired++;
      }
      // Records of clients whose sessions ended otherwise (a clean session, unsubscribing) go too.
      for (const clientId of [...lastSeen.keys()]) {
        if (state.hasSession(clientId)) continue;
        lastSeen.delete(clientId);
        background(records.dropSeen(clientId));
      }
      return expired;
    },
    async close() {
      await Promise.allSettled(pending);
      await records.close();
    },
  };
}
