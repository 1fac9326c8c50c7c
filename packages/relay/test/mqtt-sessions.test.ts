import { describe, expect, it } from 'vitest';
import { mqttSessions, QueueFullError, type Packet, type QueueLimits, type SessionHooks, type Subscription } from '../src/mqtt/sessions.js';

/**
 * The embedded broker's queues are bounded in messages and in bytes, per
 * session, per publishing client and in all, since they are held in memory as
 * well as on disk; a publish that does not fit for every subscriber is refused
 * whole (preStore rejects, so the broker sends no PUBACK). The
 * calls below are the ones Aedes makes: preStore from authorizePublish, then
 * outgoingEnqueueCombi, and on the subscriber's PUBACK outgoingUpdate and
 * outgoingClearMessageId.
 */
const stored: { clientId: string; seq: number }[] = [];
const dropped: { clientId: string; seq: number }[] = [];
const hooks: SessionHooks = {
  storeSubscriptions: async () => undefined,
  storeQueued: async (entries) => void stored.push(...entries.map(({ clientId, seq }) => ({ clientId, seq }))),
  dropQueued: (clientId, seq) => void dropped.push({ clientId, seq }),
};

const UNLIMITED: QueueLimits = { maxPerSession: 1 << 30, maxBytesPerSession: 1 << 30, maxPerClient: 1 << 30, maxBytesPerClient: 1 << 30, maxMessages: 1 << 30, maxBytes: 1 << 30 };

function broker(overrides: Partial<QueueLimits>) {
  const state = mqttSessions({ ...UNLIMITED, ...overrides }, hooks);
  const api = state.api as unknown as {
    addSubscriptions(client: { id: string }, subs: Subscription[]): Promise<void>;
    outgoingEnqueueCombi(subs: Subscription[], packet: Packet): Promise<void>;
    outgoingUpdate(client: { id: string }, packet: Packet): Promise<void>;
    outgoingClearMessageId(client: { id: string }, packet: Packet): Promise<Packet | undefined>;
  };
  let counter = 0;
  const subscribe = (clientId: string, topic: string) => api.addSubscriptions({ id: clientId }, [{ clientId, topic, qos: 1 }]);
  /** A QoS 1 publish by `from` as Aedes handles it: 'refused' when preStore refuses it (the broker then sends no PUBACK and enqueues nothing). */
  const publish = async (topic: string, size: number, from = 'alice'): Promise<'stored' | 'refused'> => {
    const payload = Buffer.alloc(size, 1);
    try {
      await state.preStore(from, topic, payload);
    } catch (error) {
      if (error instanceof QueueFullError) return 'refused';
      throw error;
    }
    const subs = (await (state.api['subscriptionsByTopic'] as unknown as (topic: string) => Promise<Subscription[]>)(topic)) ?? [];
    await api.outgoingEnqueueCombi(subs, { cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false, brokerId: 'b', brokerCounter: ++counter });
    return 'stored';
  };
  const publishMany = async (count: number, topic: string, size: number, from?: string): Promise<string[]> => {
    const outcomes: string[] = [];
    for (let i = 0; i < count; i++) outcomes.push(await publish(topic, size, from));
    return outcomes;
  };
  /** The subscriber takes and acknowledges the oldest queued message. */
  let nextId = 0;
  const acknowledgeOldest = async (clientId: string): Promise<void> => {
    const [oldest] = state.queue(clientId);
    const messageId = ++nextId;
    await api.outgoingUpdate({ id: clientId }, { ...oldest!, messageId });
    await api.outgoingClearMessageId({ id: clientId }, { ...oldest!, messageId });
  };
  return { state, subscribe, publish, publishMany, acknowledgeOldest };
}

describe('the embedded broker’s session queues', () => {
  it('hold at most maxPerSession messages per session, and refuse the publish beyond', async () => {
    const { state, subscribe, publishMany } = broker({ maxPerSession: 3 });
    await subscribe('bob', 'herald/v1/0b');
    expect(await publishMany(5, 'herald/v1/0b', 10)).toEqual(['stored', 'stored', 'stored', 'refused', 'refused']);
    expect(state.queue('bob')).toHaveLength(3);
    expect(state.refusedFull).toBe(2);
  });

  it('hold at most maxBytesPerSession payload bytes per session, and take more once some are acknowledged', async () => {
    const { state, subscribe, publish, publishMany, acknowledgeOldest } = broker({ maxBytesPerSession: 2500 });
    await subscribe('bob', 'herald/v1/0b');
    await subscribe('carol', 'herald/v1/0c');
    expect(await publishMany(4, 'herald/v1/0b', 1000)).toEqual(['stored', 'stored', 'refused', 'refused']);
    expect(state.queue('bob')).toHaveLength(2);
    // Another session is not held back by Bob's.
    expect(await publish('herald/v1/0c', 1000)).toBe('stored');
    expect(state.queue('carol')).toHaveLength(1);
    expect(state.queuedBytes).toBe(3000);
    await acknowledgeOldest('bob');
    expect(state.queuedBytes).toBe(2000);
    expect(await publish('herald/v1/0b', 1000)).toBe('stored');
    expect(state.queue('bob')).toHaveLength(2);
  });

  it('refuse a publish whole when one of its subscribers is full: nothing is stored for the others', async () => {
    const { state, subscribe, publish } = broker({ maxPerSession: 1 });
    await subscribe('bob', 'herald/v1/0b');
    expect(await publish('herald/v1/0b', 10)).toBe('stored');
    await subscribe('carol', 'herald/v1/0b');
    stored.length = 0;
    expect(await publish('herald/v1/0b', 10)).toBe('refused');
    expect(stored).toEqual([]);
    expect(state.queue('carol')).toEqual([]);
    expect(state.queuedMessages).toBe(1);
  });

  it('hold at most maxPerClient messages and maxBytesPerClient bytes from one publisher over all sessions; others still publish', async () => {
    const { state, subscribe, publish, publishMany, acknowledgeOldest } = broker({ maxPerClient: 4, maxBytesPerClient: 3500 });
    // Mallory's own sessions, which she left: she fills them from another connection.
    for (const session of ['m1', 'm2', 'm3']) await subscribe(session, `herald/v1/${session}`);
    expect(await publishMany(2, 'herald/v1/m1', 1000, 'mallory')).toEqual(['stored', 'stored']);
    expect(await publishMany(2, 'herald/v1/m2', 1000, 'mallory')).toEqual(['stored', 'refused']);
    expect(await publishMany(2, 'herald/v1/m3', 100, 'mallory')).toEqual(['stored', 'refused']);
    expect(state.queuedMessages).toBe(4);
    // Alice's envelopes to Bob are not held back by Mallory's quota.
    await subscribe('bob', 'herald/v1/0b');
    expect(await publishMany(3, 'herald/v1/0b', 1000, 'alice')).toEqual(['stored', 'stored', 'stored']);
    // A delivery gives the publisher its quota back.
    await acknowledgeOldest('m1');
    expect(await publish('herald/v1/m2', 1000, 'mallory')).toBe('stored');
  });

  it('hold at most maxMessages messages and maxBytes payload bytes over all sessions', async () => {
    const { state, subscribe, publish } = broker({ maxBytes: 2500, maxMessages: 3 });
    await subscribe('bob', 'herald/v1/0b');
    await subscribe('carol', 'herald/v1/0c');
    expect(await publish('herald/v1/0b', 1000)).toBe('stored');
    expect(await publish('herald/v1/0c', 1000)).toBe('stored');
    expect(await publish('herald/v1/0c', 1000)).toBe('refused');
    expect(await publish('herald/v1/0c', 10)).toBe('stored');
    expect(await publish('herald/v1/0b', 10)).toBe('refused');
    expect(state.queue('bob')).toHaveLength(1);
    expect(state.queue('carol')).toHaveLength(2);
    expect(state.queuedBytes).toBe(2010);
    expect(state.refusedFull).toBe(2);
  });

  it('say which quota refused a publish (the broker’s metrics count by it), and what each session holds', async () => {
    const { state, subscribe } = broker({ maxPerSession: 1, maxPerClient: 2, maxMessages: 3 });
    const reasonOf = (from: string, topic: string) =>
      state.preStore(from, topic, Buffer.alloc(10, 1)).then(
        (copies) => `stored ${copies}`,
        (error: unknown) => (error instanceof QueueFullError ? error.reason : 'other'),
      );
    for (const session of ['s1', 's2', 's3', 's4']) await subscribe(session, `herald/v1/${session}`);
    expect(await reasonOf('alice', 'herald/v1/s1')).toBe('stored 1');
    expect(await reasonOf('bob', 'herald/v1/s1')).toBe('session-quota');
    expect(await reasonOf('alice', 'herald/v1/s2')).toBe('stored 1');
    expect(await reasonOf('alice', 'herald/v1/s3')).toBe('client-quota');
    expect(await reasonOf('bob', 'herald/v1/s3')).toBe('stored 1');
    expect(await reasonOf('carol', 'herald/v1/s4')).toBe('broker-full');
    expect(await reasonOf('carol', 'herald/v1/nobody')).toBe('stored 0');
    expect(state.queuedFor('s1')).toEqual({ messages: 1, bytes: 10 });
    expect(state.queuedFor('s4')).toEqual({ messages: 0, bytes: 0 });
  });

  it('keep a publish stored ahead of its PUBACK queued when Aedes never gets further (its connection ended): delivered, never leaked', async () => {
    const { state, subscribe, acknowledgeOldest } = broker({ maxPerSession: 1 });
    await subscribe('bob', 'herald/v1/0b');
    await state.preStore('alice', 'herald/v1/0b', Buffer.alloc(10, 1));
    expect(state.queue('bob')).toHaveLength(1);
    expect(state.queuedMessages).toBe(1);
    await acknowledgeOldest('bob');
    expect([state.queue('bob').length, state.queuedMessages, state.queuedBytes]).toEqual([0, 0, 0]);
  });

  it('count a copy stored ahead once when its session ends before Aedes enqueues the publish', async () => {
    const { state, subscribe } = broker({});
    const api = state.api as unknown as { outgoingEnqueueCombi(subs: Subscription[], packet: Packet): Promise<void> };
    await subscribe('bob', 'herald/v1/0b');
    await subscribe('carol', 'herald/v1/0b');
    const payload = Buffer.alloc(10, 1);
    await state.preStore('alice', 'herald/v1/0b', payload);
    expect(state.queuedMessages).toBe(2);
    await state.forget('bob');
    expect(state.queuedMessages).toBe(1);
    // Aedes goes on with the subscribers it finds now: Carol only.
    await api.outgoingEnqueueCombi([{ clientId: 'carol', topic: 'herald/v1/0b', qos: 1 }], { cmd: 'publish', topic: 'herald/v1/0b', payload, qos: 1, retain: false, dup: false, brokerId: 'b', brokerCounter: 1 });
    expect([state.queuedMessages, state.queuedBytes, state.queue('carol').length, state.queue('bob').length]).toEqual([1, 10, 1, 0]);
    expect(state.queue('carol')[0]).toMatchObject({ brokerId: 'b', brokerCounter: 1 });
  });

  it('hold at most maxMessages messages over all sessions, however small: an empty payload costs no bytes but still memory', async () => {
    const { state, subscribe, publish, acknowledgeOldest } = broker({ maxMessages: 3 });
    await subscribe('bob', 'herald/v1/0b');
    await subscribe('carol', 'herald/v1/0b');
    // Each publish is two copies; all or nothing, so the second (4 > 3) is refused whole.
    expect(await publish('herald/v1/0b', 0)).toBe('stored');
    expect(await publish('herald/v1/0b', 0)).toBe('refused');
    expect([state.queuedMessages, state.refusedFull]).toEqual([2, 1]);
    await acknowledgeOldest('bob');
    expect(await publish('herald/v1/0b', 0)).toBe('stored');
    expect(await publish('herald/v1/0b', 0)).toBe('refused');
    expect([state.queuedMessages, state.refusedFull]).toEqual([3, 2]);
  });

  it('forget ends a session: its subscriptions and queued messages leave memory and the store, and its bytes are freed', async () => {
    const { state, subscribe, publish } = broker({ maxBytes: 1500 });
    await subscribe('bob', 'herald/v1/0b');
    await subscribe('carol', 'herald/v1/0c');
    expect(await publish('herald/v1/0b', 1000)).toBe('stored');
    expect(await publish('herald/v1/0b', 1000)).toBe('refused');
    const bobsEntries = stored.filter((entry) => entry.clientId === 'bob').map((entry) => entry.seq);
    expect(state.sessionIds().sort()).toEqual(['bob', 'carol']);
    dropped.length = 0;
    await state.forget('bob');
    expect(state.hasSession('bob')).toBe(false);
    expect(state.subscriptionsOf('bob').size).toBe(0);
    expect(state.queue('bob')).toEqual([]);
    expect(dropped.map((entry) => entry.seq)).toEqual(bobsEntries.slice(-1));
    expect(state.queuedBytes).toBe(0);
    expect(state.sessionIds()).toEqual(['carol']);
    // The bytes are free again for the others.
    expect(await publish('herald/v1/0c', 1000)).toBe('stored');
    expect(state.queue('carol')).toHaveLength(1);
  });
});
