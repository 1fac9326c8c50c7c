import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startNatsCluster, type NatsCluster } from '@herald/relay/testing';
import { natsRelayStore } from '../src/store/nats/nats-store.js';
import { relayStoreSuite } from './helpers/store-suite.js';

/**
 * The relay store contract (helpers/store-suite.ts), passed by the store over a real three-node JetStream cluster
 * with three replicas: each test gets its own streams and buckets (the place's name), and a reopen is a new
 * connection that rebuilds its view from the stream.
 */
let cluster: NatsCluster;

beforeAll(async () => {
  cluster = await startNatsCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

relayStoreSuite('NATS JetStream cluster, 3 replicas', (place, init) => natsRelayStore({ ...init, nats: { servers: cluster.url, name: place.name, replicas: 3 }, brokerDir: join(place.dir, 'mqtt') }));
