import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNode, type HeraldNode, type Identity, type NodePolicy, type Transport } from '@herald/core';
import { applicationReader } from '@herald/transport-compliance';
import { lmdbStore } from '@herald/store-lmdb';

/** Short deadlines, so hedging and failover happen within a test's waits; e-mail through loopback takes a few hundred ms. */
export const POLICY: NodePolicy = {
  ackDeadlineMs: { FLASH: 4_000, IMMEDIATE: 4_000, PRIORITY: 4_000, ROUTINE: 4_000 },
  retriesPerChannel: 0,
  retryMinDelayMs: 50,
  maxBackoffMs: 1_000,
  sendTimeoutMs: 5_000,
  breakerCooldownMs: 500,
};

export interface TestNode {
  readonly node: HeraldNode;
  /** Texts handed to the application, in arrival order (each acked at once). */
  readonly received: string[];
  stop(): Promise<void>;
}

/** A real node on a durable LMDB store in a temp folder, reading its messages as an application would. */
export async function startNode(identity: Identity, contacts: readonly Identity[], channels: Transport[], dataDir?: string): Promise<TestNode & { readonly dataDir: string }> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'herald-email-node-')));
  const store = await lmdbStore({ path: dir });
  const node = createNode({ identity, contacts: contacts.map((contact) => contact.card), store, channels, policy: POLICY });
  await node.start();
  const reader = applicationReader(node);
  return {
    node,
    received: reader.received,
    dataDir: dir,
    async stop() {
      await reader.stop();
      await store.close();
    },
  };
}

export const removeDir = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true });
