import { mkdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { open, type Database, type RootDatabase } from 'lmdb';
import { freeSpaceGuard } from '@herald/store-lmdb';
import { mqttSessions, QueueFullError, type Packet, type QueueLimits, type SessionState, type Subscription } from './mqtt-sessions.js';

/**
 * The embedded broker's persistence (the Aedes persistence interface, async
 * flavour), durable on LMDB in its own folder, `<dataDir>/mqtt`.
 *
 * Why not aedes-persistence-level: under load (a subscriber holding several
 * unacknowledged QoS 1 messages, which is how Herald's transport works) it
 * dropped some of them in tests, PUBACKed to the publisher and never sent to the
 * subscriber. Aedes' in-memory persistence is correct; this keeps the same
 * semantics in memory (mqtt-sessions.ts) and writes through to LMDB what a
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
   */
  preStore(from: string, topic: string, payload: Buffer): Promise<void>;
  /** Publishes refused because a queue or quota was full, since start. */
  readonly refusedFull: number;
  /** Sessions holding subscriptions, and one client's topics: what the broker bounds at SUBSCRIBE. */
  readonly sessions: number;
  subscriptionsOf(clientId: string): ReadonlySet<string>;
  /** `clientId` is connected now (called at its connect and its disconnect): its session's age counts from here. */
  seen(clientId: string, at: number): void;
  /**
   * Ends the sessions of clients not `connected` and last seen before `before`: subscriptions and queued
   * messages, in memory and on disk. Returns how many.
   */
  expire(before: number, connected: (clientId: string) => boolean): Promise<number>;
  close(): Promise<void>;
}

/** Bytes a queued record takes beyond its payload (key, topic, fields), for the free-space estimate. */
const QUEUED_RECORD_OVERHEAD = 256;

export async function openBrokerPersistence(folder: string, limits: QueueLimits, minFreeBytes = 0): Promise<BrokerPersistence> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  // New copies are refused before the disk is full, as for the relay's mailboxes: lmdb-js must never meet ENOSPC.
  const space = minFreeBytes > 0 ? await freeSpaceGuard(folder, minFreeBytes) : undefined;
  // eventTurnBatching off: with it, a commit failing on a full disk rejects a promise of lmdb-js's own that nobody can observe, and the unhandled rejection kills the relay (see mailboxes.ts).
  const env: RootDatabase = open({ path: folder, noSubdir: false, overlappingSync: false, noSync: false, useWritemap: false, cache: false, maxDbs: 4, eventTurnBatching: false } as Parameters<typeof open>[0]);
  const subs: Database<Omit<Subscription, 'clientId' | 'topic'>, [string, string]> = env.openDB('subscriptions', {});
  // Each queued copy with its publisher (`from`, charged for it; absent in records of older versions).
  const queued: Database<Packet & { from?: string }, [string, number]> = env.openDB('outgoing', {});
  // When each session's client was last connected: what session expiry counts from. Only clients with a session.
  const seenAt: Database<number, string> = env.openDB('seen', {});
  const pending = new Set<Promise<unknown>>();
  const background = (write: Promise<unknown>): void => {
    const tracked = write.catch(() => undefined).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };

  const state: SessionState = mqttSessions(limits, {
    storeSubscriptions: (clientId, added, removed) =>
      env.batch(() => {
        for (const { clientId: _client, topic, ...record } of added) subs.put([clientId, topic], record);
        for (const topic of removed) subs.remove([clientId, topic]);
      }),
    storeQueued: async (entries) => {
      const bytes = entries.reduce((sum, entry) => sum + entry.packet.payload.length + QUEUED_RECORD_OVERHEAD, 0);
      // A fresh reading each time (one statfs): the broker shares its disk with the mailboxes and anything else.
      if (space && !(await space.check(bytes))) throw new QueueFullError(`not stored: the broker's disk is nearly full (${space.free ?? 0} bytes free, minFreeBytes ${minFreeBytes})`);
      return env.batch(() => {
        for (const { clientId, seq, packet, from } of entries) queued.put([clientId, seq], { ...packet, from });
      });
    },
    dropQueued: (clientId, seq) => background(queued.remove([clientId, seq])),
  });
  for (const { key, value } of subs.getRange({})) state.restoreSubscription({ clientId: key[0], topic: key[1], ...value });
  for (const { key, value } of queued.getRange({})) {
    const { from, ...packet } = value;
    state.restoreQueued(key[0], key[1], { ...packet, payload: Buffer.from(value.payload) }, from ?? '');
  }
  const lastSeen = new Map<string, number>();
  for (const { key, value } of seenAt.getRange({})) lastSeen.set(key, value);
  // A session with no record (written by a version without expiry, or its client's disconnect never recorded before a
  // crash) is as old as this start.
  const startedAt = Date.now();
  for (const clientId of state.sessionIds()) {
    if (lastSeen.has(clientId)) continue;
    lastSeen.set(clientId, startedAt);
    background(seenAt.put(clientId, startedAt));
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
    seen(clientId, at) {
      // Clients without a session leave no trace: ids that come and go must not grow the store.
      if (!state.hasSession(clientId)) return;
      lastSeen.set(clientId, at);
      background(seenAt.put(clientId, at));
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
        background(seenAt.remove(clientId));
      }
      return expired;
    },
    async close() {
      await Promise.allSettled(pending);
      await env.close();
    },
  };
}
