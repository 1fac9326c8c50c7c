import { join } from 'node:path';
import type { ResolvedRelayInit } from '../init.js';
import { lmdbRelayStore } from './lmdb-store.js';
import type { MailEntry, RelayStore } from './relay-store.js';
import type { StorageHealth } from './storage-health.js';

/**
 * The relay's store as its options say: LMDB in dataDir by default, or the NATS JetStream cluster of `store`
 * (loaded only then: most relays never load the NATS client). `arrived` hears of entries deposited through other
 * relays sharing the cluster.
 */
export async function openRelayStore(options: ResolvedRelayInit, health: StorageHealth, arrived: (entry: MailEntry) => void): Promise<RelayStore> {
  if (options.store === undefined) return lmdbRelayStore({ dir: options.dataDir, mapSize: options.mapSize, limits: options, health });
  const { natsRelayStore } = await import('./nats/nats-store.js');
  const store = await natsRelayStore({ nats: typeof options.store === 'string' ? { servers: options.store } : options.store, limits: options, health, maxRetentionSeconds: options.maxRetentionSeconds, brokerDir: join(options.dataDir, 'mqtt') });
  store.onArrival(arrived);
  return store;
}
