import { join } from 'node:path';
import { createNode, type Card, type HeraldNode, type Identity } from '@herald/core';
import { lmdbStore } from '@herald/store-lmdb';
import { dirTransport } from '@herald/transport-dir';

/** One station: its identity, durable store and channels, as a mission app would wire them. */
export interface Station {
  readonly name: string;
  readonly node: HeraldNode;
  close(): Promise<void>;
}

export async function openStation(name: string, identity: Identity, contacts: readonly Card[], workdir: string, spools: readonly string[]): Promise<Station> {
  const store = await lmdbStore({ path: join(workdir, `${name}-store`) });
  const node = createNode({
    identity,
    contacts,
    store,
    // Preference order: the first spool (say, the office's synced share), then the courier stick.
    channels: spools.map((folder) => dirTransport({ url: `dir:${folder}`, pollIntervalMs: 200 })),
    // Short ack deadlines so the demo shows hedging within seconds; real deployments keep the defaults.
    policy: { ackDeadlineMs: { FLASH: 3_000, IMMEDIATE: 3_000, PRIORITY: 5_000, ROUTINE: 5_000 }, retriesPerChannel: 1, sendTimeoutMs: 2_000 },
  });
  await node.start();
  return {
    name,
    node,
    async close() {
      await node.stop();
      await store.close();
    },
  };
}
