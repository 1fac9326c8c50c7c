import { createNode, memoryStore, type EpochTagsInit, type HeraldNode, type Identity, type Transport } from '@herald/core';
import { applicationReader } from '@herald/transport-compliance';
import { webSocketTransport } from '@herald/transport-websocket';

/** Fast timings so tests notice a dead relay and retry within seconds. */
export const FAST = { heartbeatIntervalMs: 300, heartbeatTimeoutMs: 1000, minReconnectDelayMs: 50, maxReconnectDelayMs: 300, connectTimeoutMs: 2000, sendTimeoutMs: 3000 } as const;

export interface TestNode {
  readonly node: HeraldNode;
  /** Texts handed to the application, in arrival order (each one acked at once). */
  readonly received: string[];
  stop(): Promise<void>;
}

/**
 * A real node (in-memory store: the node itself is not restarted in these tests) over one channel per relay URL.
 * `localAddress`: the loopback address its connections leave from (127.0.0.2, …), for the relay's per-address limits.
 */
export async function startNode(identity: Identity, contacts: readonly Identity[], relayUrls: readonly string[], options: { localAddress?: string; proxy?: string | false; onSendError?: (error: unknown) => void; epochTags?: EpochTagsInit } = {}): Promise<TestNode> {
  const { onSendError, epochTags, ...transportOptions } = options;
  const channels = relayUrls.map((url): Transport => {
    const transport = webSocketTransport({ url, identity, ...FAST, ...transportOptions });
    if (!onSendError) return transport;
    // Every failed send, as the node's router sees it.
    return { ...transport, send: (...args) => transport.send(...args).catch((error: unknown) => { onSendError(error); throw error; }) };
  });
  const node = createNode({
    identity,
    contacts: contacts.map((contact) => contact.card),
    store: memoryStore(),
    channels,
    ...(epochTags ? { epochTags } : {}),
    policy: { sendTimeoutMs: 3000, retryMinDelayMs: 50, maxBackoffMs: 500, breakerCooldownMs: 300, ackDeadlineMs: { ROUTINE: 5000, PRIORITY: 5000, IMMEDIATE: 5000, FLASH: 5000 } },
  });
  await node.start();
  const reader = applicationReader(node);
  return {
    node,
    received: reader.received,
    stop: reader.stop,
  };
}

/** Whether the sender's outbox shows at least `count` messages delivered (their end-to-end acks came back). */
export async function delivered(sender: TestNode, count: number): Promise<boolean> {
  return (await sender.node.outbox()).filter((record) => record.status === 'delivered').length >= count;
}

export async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
