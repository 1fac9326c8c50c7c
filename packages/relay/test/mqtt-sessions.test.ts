import { describe, expect, it } from 'vitest';
import { mqttSessions, type Packet, type QueueLimits, type SessionHooks, type Subscription } from '../src/mqtt-sessions.js';

/**
 * The embedded broker's queues are bounded in messages and in bytes, per
 * session and in all, since they are held in memory as well as on disk. The
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

function broker(limits: QueueLimits) {
  const state = mqttSessions(limits, hooks);
  const api = state.api as unknown as {
    addSubscriptions(client: { id: string }, subs: Subscription[]): Promise<void>;
    outgoingEnqueueCombi(subs: Subscription[], packet: Packet): Promise<void>;
    outgoingUpdate(client: { id: string }, packet: Packet): Promise<void>;
    outgoingClearMessageId(client: { id: string }, packet: Packet): Promise<Packet | undefined>;
  };
  let counter = 0;
  const subscribe = (clientId: string, topic: string) => api.addSubscriptions({ id: clientId }, [{ clientId, topic, qos: 1 }]);
  /** A QoS 1 publish as Aedes handles it. */
  const publish = async (topic: string, size: number): Promise<void> => {
    const payload = Buffer.alloc(size, 1);
    await state.preStore(topic, payload);
    const subs = (await (state.api['subscriptionsByTopic'] as unknown as (topic: string) => Promise<Subscription[]>)(topic)) ?? [];
    await api.outgoingEnqueueCombi(subs, { cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false, brokerId: 'b', brokerCounter: ++counter });
  };
  /** The subscriber takes and acknowledges the oldest queued message. */
  let nextId = 0;
  const acknowledgeOldest = async (clientId: string): Promise<void> => {
    const [oldest] = state.queue(clientId);
    const messageId = ++nextId;
    await api.outgoingUpdate({ id: clientId }, { ...oldest!, messageId });
    await api.outgoingClearMessageId({ id: clientId }, { ...oldest!, messageId });
  };
  return { state, subscribe, publish, acknowledgeOldest };
}

describe('the embedded broker’s session queues', () => {
  it('hold at most maxPerClient messages per session', async () => {
    const { state, subscribe, publish } = broker({ maxPerClient: 3, maxBytesPerClient: 1 << 20, maxBytes: 1 << 30 });
    await subscribe('bob', 'herald/v1/0b');
    for (let i = 0; i < 5; i++) await publish('herald/v1/0b', 10);
    expect(state.queue('bob')).toHaveLength(3);
    expect(state.refusedFull).toBe(2);
  });

  it('hold at most maxBytesPerClient payload bytes per session, and take more once some are acknowledged', async () => {
    const { state, subscribe, publish, acknowledgeOldest } = broker({ maxPerClient: 1000, maxBytesPerClient: 2500, maxBytes: 1 << 30 });
    await subscribe('bob', 'herald/v1/0b');
    await subscribe('carol', 'herald/v1/0c');
    for (let i = 0; i < 4; i++) await publish('herald/v1/0b', 1000);
    expect(state.queue('bob')).toHaveLength(2);
    expect(state.refusedFull).toBe(2);
    // Another session is not held back by Bob's.
    await publish('herald/v1/0c', 1000);
    expect(state.queue('carol')).toHaveLength(1);
    expect(state.queuedBytes).toBe(3000);
    await acknowledgeOldest('bob');
    expect(state.queuedBytes).toBe(2000);
    await publish('herald/v1/0b', 1000);
    expect(state.queue('bob')).toHaveLength(2);
  });

  it('hold at most maxBytes payload bytes over all sessions', async () => {
    const { state, subscribe, publish } = broker({ maxPerClient: 1000, maxBytesPerClient: 1 << 20, maxBytes: 2500 });
    await subscribe('bob', 'herald/v1/0b');
    await subscribe('carol', 'herald/v1/0c');
    await publish('herald/v1/0b', 1000);
    await publish('herald/v1/0c', 1000);
    await publish('herald/v1/0c', 1000);
    expect(state.queue('bob')).toHaveLength(1);
    expect(state.queue('carol')).toHaveLength(1);
    expect(state.queuedBytes).toBe(2000);
    expect(state.refusedFull).toBe(1);
  });

  it('hold at most maxEntries messages over all sessions, however small: an empty payload costs no bytes but still memory', async () => {
    const { state, subscribe, publish, acknowledgeOldest } = broker({ maxPerClient: 1000, maxBytesPerClient: 1 << 20, maxBytes: 1 << 30, maxEntries: 3 });
    await subscribe('bob', 'herald/v1/0b');
    await subscribe('carol', 'herald/v1/0b');
    await publish('herald/v1/0b', 0);
    await publish('herald/v1/0b', 0);
    expect(state.queue('bob').length + state.queue('carol').length).toBe(3);
    expect(state.refusedFull).toBe(1);
    await acknowledgeOldest('bob');
    await publish('herald/v1/0b', 0);
    expect(state.queue('bob').length + state.queue('carol').length).toBe(3);
    expect(state.refusedFull).toBe(2);
  });

  it('forget ends a session: its subscriptions and queued messages leave memory and the store, and its bytes are freed', async () => {
    const { state, subscribe, publish } = broker({ maxPerClient: 1000, maxBytesPerClient: 1 << 20, maxBytes: 1500 });
    await subscribe('bob', 'herald/v1/0b');
    await subscribe('carol', 'herald/v1/0c');
    await publish('herald/v1/0b', 1000);
    await publish('herald/v1/0b', 1000);
    expect(state.refusedFull).toBe(1);
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
    await publish('herald/v1/0c', 1000);
    expect(state.queue('carol')).toHaveLength(1);
  });
});
