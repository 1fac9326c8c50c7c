import { createNode, generateIdentity, memoryStore, type HeraldNode, type HeraldStore, type Identity, type NodeInit, type NodePolicy, type ReceivedMessage } from '@herald/core';
import { memoryMedium, type Medium, type TestChannel } from './memory-transport.js';

export interface Pair {
  medium: Medium;
  alice: Identity;
  bob: Identity;
  aliceNode: HeraldNode;
  bobNode: HeraldNode;
  aliceChannels: TestChannel[];
  bobChannels: TestChannel[];
  bobStore: HeraldStore;
  stop(): Promise<void>;
}

/** Policy with short deadlines so tests finish quickly; tests override what they exercise. */
export const FAST: NodePolicy = {
  ackDeadlineMs: { FLASH: 300, IMMEDIATE: 300, PRIORITY: 300, ROUTINE: 300 },
  retriesPerChannel: 0,
  retryMinDelayMs: 20,
  maxBackoffMs: 200,
  sendTimeoutMs: 200,
  breakerCooldownMs: 200,
};

export async function pair(names: string[], policy: NodePolicy = FAST, options: { maxBytes?: Record<string, number>; bob?: Pick<NodeInit, 'maxReceivedMessages'> } = {}): Promise<Pair> {
  const medium = memoryMedium();
  const alice = generateIdentity({ label: 'Alice' });
  const bob = generateIdentity({ label: 'Bob' });
  const make = (): TestChannel[] => names.map((name) => medium.channel(name, options.maxBytes?.[name] ? { maxEnvelopeBytes: options.maxBytes[name] } : {}));
  const aliceChannels = make();
  const bobChannels = make();
  const bobStore = memoryStore();
  const aliceNode = createNode({ identity: alice, contacts: [bob.card], store: memoryStore(), channels: aliceChannels, policy });
  const bobNode = createNode({ identity: bob, contacts: [alice.card], store: bobStore, channels: bobChannels, policy, ...options.bob });
  await aliceNode.start();
  await bobNode.start();
  return { medium, alice, bob, aliceNode, bobNode, aliceChannels, bobChannels, bobStore, stop: async () => void (await Promise.all([aliceNode.stop(), bobNode.stop()])) };
}

/** Collects what the application receives, acking each; bounded by `count` or the signal. */
export async function receive(node: HeraldNode, count: number, timeoutMs = 5_000): Promise<ReceivedMessage[]> {
  const received: ReceivedMessage[] = [];
  const signal = AbortSignal.timeout(timeoutMs);
  for await (const message of node.messages({ signal })) {
    received.push(message);
    await message.ack();
    if (received.length >= count) break;
  }
  return received;
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
