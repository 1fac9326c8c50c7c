import { MAX_COLLECTED_EPOCHS } from '@herald/core';
import { QUEUE_REFUSAL_TEXTS, queueQuotas, type QueueLimits, type QueueRefusal } from './quotas.js';

/**
 * The embedded broker's session state in memory, with the semantics of Aedes'
 * own in-memory persistence (aedes-persistence), narrowed to what Herald uses:
 * exact topics only (the broker refuses wildcard subscriptions), QoS 1 queues.
 * Every change a session must not lose goes through `hooks` to the durable
 * store (persistence.ts); `outgoingEnqueueCombi` resolves only once it is
 * stored, which is when Aedes PUBACKs the publisher.
 */
export interface Packet {
  cmd: 'publish';
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  dup: boolean;
  brokerId?: string | undefined;
  brokerCounter?: number | undefined;
  messageId?: number | undefined;
  clientId?: string;
}

export interface Subscription {
  clientId: string;
  topic: string;
  qos: number;
  rh?: number;
  rap?: boolean;
  nl?: boolean;
}

/** A queued copy as stored: for whom (`clientId`), in which order (`seq`), and who published it (`from`, charged for it). */
export interface QueuedEntry {
  clientId: string;
  seq: number;
  packet: Packet;
  from: string;
}

export interface SessionHooks {
  storeSubscriptions(clientId: string, added: readonly Subscription[], removed: readonly string[]): Promise<unknown>;
  storeQueued(entries: readonly QueuedEntry[]): Promise<unknown>;
  /** A delivered message leaves the store; not awaited (see persistence.ts). */
  dropQueued(clientId: string, seq: number): void;
}

export type { QueueLimits } from './quotas.js';

/** Why a publish is refused: a copy would not fit in every session it is meant for (quotas.ts), or on the store's disk. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  constructor(
    readonly reason: QueueRefusal | 'disk-full',
    text: string = reason === 'disk-full' ? 'the broker\'s disk is nearly full' : QUEUE_REFUSAL_TEXTS[reason],
  ) {
    super(`not stored: ${text}`);
  }
}

/**
 * Topics one session may subscribe to: a node collects one mailbox per identity it answers for (as a relay's
 * MAX_TAGS), and a version-2 identity one per epoch in its window (at most MAX_COLLECTED_EPOCHS, 33 by default).
 */
export const MAX_SUBSCRIPTIONS_PER_SESSION = MAX_COLLECTED_EPOCHS + 16;

type Client = { readonly id: string };
type Entry = { seq: number; packet: Packet; from: string };

export interface SessionState {
  brokerId: string | undefined;
  /**
   * Queues a QoS 1 publish by client `from` durably for the topic's subscribers before the broker acknowledges it
   * (see broker.ts); `outgoingEnqueueCombi` later finds these entries by the payload buffer, which Aedes passes
   * along unchanged. All or nothing: when a copy does not fit for every subscriber (quotas.ts), nothing is
   * stored and it rejects with QueueFullError, and the broker must not acknowledge the publish. Resolves with the
   * number of copies queued (0: nobody subscribes to the topic).
   */
  preStore(from: string, topic: string, payload: Buffer): Promise<number>;
  /** Publishes refused because a queue or quota was full (and copies not queued for a subscriber that came after the PUBACK), since start. */
  readonly refusedFull: number;
  /** Messages queued now, over all sessions. */
  readonly queuedMessages: number;
  /** Payload bytes queued now, over all sessions. */
  readonly queuedBytes: number;
  /** What the session of `clientId` has queued now. */
  queuedFor(clientId: string): { readonly messages: number; readonly bytes: number };
  /** Sessions holding at least one subscription (they persist while their clients are away). */
  readonly sessions: number;
  /** Topics `clientId` subscribes to now. */
  subscriptionsOf(clientId: string): ReadonlySet<string>;
  /** Whether `clientId` holds a session: subscriptions, or messages queued for it. */
  hasSession(clientId: string): boolean;
  /** The clients holding a session. */
  sessionIds(): string[];
  /** Ends a session for good: its subscriptions and queued messages leave memory at once, and the store (awaited). */
  forget(clientId: string): Promise<void>;
  restoreSubscription(sub: Subscription): void;
  restoreQueued(clientId: string, seq: number, packet: Packet, from: string): void;
  retained(pattern: string): Packet[];
  queue(clientId: string): Packet[];
  willsNotOf(brokers: Record<string, unknown>): Packet[];
  clientsOf(topic: string): string[];
  readonly api: Record<string, (...args: never[]) => Promise<unknown>>;
}

const isWildcard = (topic: string): boolean => /[+#]/.test(topic);

/** What is kept of a published packet: a copy, so Aedes' later changes (packet ids) never reach the store. */
function stored(packet: Packet): Packet {
  return { cmd: 'publish', topic: packet.topic, payload: packet.payload, qos: packet.qos, retain: false, dup: false, brokerId: packet.brokerId, brokerCounter: packet.brokerCounter };
}

export function mqttSessions(limits: QueueLimits, hooks: SessionHooks): SessionState {
  const quotas = queueQuotas(limits);
  const byClient = new Map<string, Map<string, Subscription>>();
  const byTopic = new Map<string, Map<string, Subscription>>();
  const outgoing = new Map<string, Entry[]>();
  const incoming = new Map<string, Map<number, Packet>>();
  const wills = new Map<string, Packet>();
  const retainedByTopic = new Map<string, Packet>();
  let seq = 0;
  let refusedFull = 0;
  /**
   * Entries stored ahead of Aedes' PUBACK, per subscriber, for `outgoingEnqueueCombi` to give the broker id and counter
   * Aedes assigns later. They are in the queues already: should Aedes never get that far (the connection ended before
   * its PUBACK went out), they stay queued like entries restored after a restart, and are delivered, never leaked.
   */
  const preStored = new WeakMap<Buffer, { from: string; entries: Map<string, Entry> }>();
  const drop = (clientId: string, entry: Entry): void => {
    hooks.dropQueued(clientId, entry.seq);
    quotas.refund(entry.from, clientId, entry.packet.payload.length);
  };
  /** Takes `entry` out of its queue and the store, if it is still queued (forget may have dropped it already). */
  const unqueue = (clientId: string, entry: Entry): void => {
    const queue = outgoing.get(clientId);
    const index = queue?.indexOf(entry) ?? -1;
    if (index < 0) return;
    queue!.splice(index, 1);
    drop(clientId, entry);
  };

  const add = (sub: Subscription): void => {
    if (!byClient.has(sub.clientId)) byClient.set(sub.clientId, new Map());
    byClient.get(sub.clientId)!.set(sub.topic, sub);
    if (!byTopic.has(sub.topic)) byTopic.set(sub.topic, new Map());
    byTopic.get(sub.topic)!.set(sub.clientId, sub);
  };
  const remove = (clientId: string, topic: string): boolean => {
    const mine = byClient.get(clientId);
    if (!mine?.delete(topic)) return false;
    if (mine.size === 0) byClient.delete(clientId);
    const theirs = byTopic.get(topic);
    theirs?.delete(clientId);
    if (theirs?.size === 0) byTopic.delete(topic);
    return true;
  };
  const queueOf = (clientId: string): Entry[] => {
    let queue = outgoing.get(clientId);
    if (!queue) outgoing.set(clientId, (queue = []));
    return queue;
  };

  const state: SessionState = {
    brokerId: undefined,
    get refusedFull() {
      return refusedFull;
    },
    get queuedBytes() {
      return quotas.bytes;
    },
    get queuedMessages() {
      return quotas.messages;
    },
    get sessions() {
      return byClient.size;
    },
    queuedFor: (clientId) => quotas.ofSession(clientId),
    subscriptionsOf: (clientId) => new Set(byClient.get(clientId)?.keys() ?? []),
    hasSession: (clientId) => byClient.has(clientId) || (outgoing.get(clientId)?.length ?? 0) > 0,
    sessionIds: () => [...new Set([...byClient.keys(), ...[...outgoing].filter(([, queue]) => queue.length > 0).map(([clientId]) => clientId)])],
    async forget(clientId) {
      const topics = [...(byClient.get(clientId)?.keys() ?? [])];
      for (const topic of topics) remove(clientId, topic);
      for (const entry of outgoing.get(clientId) ?? []) drop(clientId, entry);
      outgoing.delete(clientId);
      incoming.delete(clientId);
      wills.delete(clientId);
      if (topics.length > 0) await hooks.storeSubscriptions(clientId, [], topics);
    },
    restoreSubscription: add,
    async preStore(from, topic, payload) {
      const subscribers = [...(byTopic.get(topic)?.keys() ?? [])];
      const refusal = quotas.refusal(from, subscribers, payload.length);
      if (refusal !== undefined) {
        refusedFull++;
        throw new QueueFullError(refusal);
      }
      const entries: QueuedEntry[] = subscribers.map((clientId) => ({ clientId, seq: ++seq, packet: { cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, from }));
      for (const entry of entries) quotas.charge(from, entry.clientId, payload.length);
      if (entries.length === 0) return 0;
      try {
        await hooks.storeQueued(entries);
      } catch (error) {
        // Not stored, so not acknowledged: the quota goes back.
        for (const entry of entries) quotas.refund(from, entry.clientId, payload.length);
        throw error;
      }
      // On disk: queued now, under a broker id and counter of their own until outgoingEnqueueCombi gives Aedes' ones.
      const queued = new Map<string, Entry>();
      for (const { clientId, seq: at } of entries) {
        const entry: Entry = { seq: at, packet: { cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false, brokerId: 'stored', brokerCounter: at }, from };
        queueOf(clientId).push(entry);
        queued.set(clientId, entry);
      }
      preStored.set(payload, { from, entries: queued });
      return entries.length;
    },
    restoreQueued(clientId, at, packet, from) {
      // Entries stored by preStore carry no broker id or counter (Aedes assigns them later), yet Aedes finds a
      // queued packet by them when it replays the queue: give each restored entry its own, unique pair.
      if (!packet.brokerId || !packet.brokerCounter) {
        packet.brokerId = 'restored';
        packet.brokerCounter = at;
      }
      queueOf(clientId).push({ seq: at, packet, from });
      // Everything on disk comes back, even over today's limits (they may have been lowered): only new messages are refused.
      quotas.charge(from, clientId, packet.payload.length);
      seq = Math.max(seq, at);
    },
    retained: (pattern) => (isWildcard(pattern) ? [] : [retainedByTopic.get(pattern)].filter((packet): packet is Packet => packet !== undefined)),
    // A copy of the queue: Aedes walks it while deliveries change it.
    queue: (clientId) => (outgoing.get(clientId) ?? []).map((entry) => entry.packet),
    willsNotOf: (brokers) => [...wills.values()].filter((will) => !brokers[will.brokerId ?? '']),
    clientsOf: (topic) => [...(byTopic.get(topic)?.keys() ?? [])],
    api: {
      async storeRetained(packet: Packet) {
        // The broker refuses retained publishes; kept in memory only, for completeness.
        if (packet.payload.length === 0) retainedByTopic.delete(packet.topic);
        else retainedByTopic.set(packet.topic, { ...packet });
      },
      async addSubscriptions(client: Client, subs: readonly Subscription[]) {
        const added: Subscription[] = [];
        const removed: string[] = [];
        for (const sub of subs) {
          if (isWildcard(sub.topic)) continue;
          if (sub.qos > 0) {
            const record: Subscription = { clientId: client.id, topic: sub.topic, qos: sub.qos, ...(sub.rh === undefined ? {} : { rh: sub.rh }), ...(sub.rap === undefined ? {} : { rap: sub.rap }), ...(sub.nl === undefined ? {} : { nl: sub.nl }) };
            add(record);
            added.push(record);
          } else if (remove(client.id, sub.topic)) {
            removed.push(sub.topic);
          }
        }
        if (added.length + removed.length > 0) await hooks.storeSubscriptions(client.id, added, removed);
      },
      async removeSubscriptions(client: Client, topics: readonly string[]) {
        const removed = topics.filter((topic) => remove(client.id, topic));
        if (removed.length > 0) await hooks.storeSubscriptions(client.id, [], removed);
      },
      async subscriptionsByClient(client: Client) {
        return [...(byClient.get(client.id)?.values() ?? [])].map(({ clientId: _clientId, ...sub }) => sub);
      },
      async countOffline() {
        let subsCount = 0;
        for (const subs of byClient.values()) subsCount += subs.size;
        return { subsCount, clientsCount: byClient.size };
      },
      async subscriptionsByTopic(topic: string) {
        return [...(byTopic.get(topic)?.values() ?? [])];
      },
      async cleanSubscriptions(client: Client) {
        const topics = [...(byClient.get(client.id)?.keys() ?? [])];
        for (const topic of topics) remove(client.id, topic);
        if (topics.length > 0) await hooks.storeSubscriptions(client.id, [], topics);
      },
      async outgoingEnqueue(sub: Subscription, packet: Packet) {
        await state.api['outgoingEnqueueCombi']!(...([[sub], packet] as never[]));
      },
      async outgoingEnqueueCombi(subs: readonly Subscription[], packet: Packet) {
        const early = preStored.get(packet.payload);
        preStored.delete(packet.payload);
        const from = early?.from ?? packet.clientId ?? '';
        const entries: QueuedEntry[] = [];
        for (const sub of subs ?? []) {
          const queue = queueOf(sub.clientId);
          const earlyEntry = early?.entries.get(sub.clientId);
          early?.entries.delete(sub.clientId);
          if (earlyEntry !== undefined) {
            // Already on disk and queued (preStore): only the broker id and counter, known now, are added in memory.
            earlyEntry.packet = stored(packet);
            continue;
          }
          // A subscriber that came after the publish was acknowledged: queued if it fits, as a plain broker would.
          if (quotas.refusal(from, [sub.clientId], packet.payload.length) !== undefined) {
            refusedFull++;
            continue;
          }
          quotas.charge(from, sub.clientId, packet.payload.length);
          const entry = { seq: ++seq, packet: stored(packet), from };
          queue.push(entry);
          entries.push({ clientId: sub.clientId, seq: entry.seq, packet: stored(packet), from });
        }
        // Stored early for a subscriber that left meanwhile: not theirs any more.
        for (const [clientId, entry] of early?.entries ?? []) unqueue(clientId, entry);
        if (entries.length > 0) await hooks.storeQueued(entries);
      },
      async outgoingUpdate(client: Client, packet: Packet) {
        // As aedes-persistence: find the queued copy by broker id and counter (or packet id) and record its packet id.
        const queue = queueOf(client.id);
        for (const entry of queue) {
          if (entry.packet.brokerId === packet.brokerId) {
            if (entry.packet.brokerCounter === packet.brokerCounter) {
              entry.packet.messageId = packet.messageId;
              return;
            }
          } else if (entry.packet.messageId === packet.messageId) {
            entry.packet = packet;
            return;
          }
        }
        throw new Error('no such packet');
      },
      async outgoingClearMessageId(client: Client, packet: Packet) {
        const queue = queueOf(client.id);
        const index = queue.findIndex((entry) => entry.packet.messageId === packet.messageId);
        if (index < 0) return undefined;
        const [entry] = queue.splice(index, 1);
        drop(client.id, entry!);
        return entry!.packet;
      },
      async incomingStorePacket(client: Client, packet: Packet) {
        if (!incoming.has(client.id)) incoming.set(client.id, new Map());
        incoming.get(client.id)!.set(packet.messageId ?? 0, { ...packet });
      },
      async incomingGetPacket(client: Client, packet: Packet) {
        const found = incoming.get(client.id)?.get(packet.messageId ?? 0);
        if (!found) throw new Error('no such packet');
        return found;
      },
      async incomingDelPacket(client: Client, packet: Packet) {
        if (!incoming.get(client.id)?.delete(packet.messageId ?? 0)) throw new Error('no such packet');
      },
      async cleanIncoming(client: Client) {
        incoming.delete(client.id);
      },
      async putWill(client: Client, packet: Packet) {
        wills.set(client.id, { ...packet, brokerId: state.brokerId, clientId: client.id });
      },
      async getWill(client: Client) {
        return wills.get(client.id);
      },
      async delWill(client: Client) {
        const will = wills.get(client.id);
        wills.delete(client.id);
        return will;
      },
    },
  };
  return state;
}
