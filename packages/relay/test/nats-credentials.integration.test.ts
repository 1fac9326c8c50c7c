import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsCluster, type NatsCluster } from '@herald/relay/testing';
import { natsRelayStore } from '../src/store/nats/nats-store.js';
import type { MailboxLimits } from '../src/store/relay-store.js';

/** The store's credentials against a real nats-server that requires a user and password (one node, replicas 1). */
const LIMITS: MailboxLimits = { mailboxMaxEnvelopes: 100, mailboxMaxBytes: 1 << 20, maxStoredBytes: 1 << 24, maxStoredEnvelopes: 1000 };
let cluster: NatsCluster;

beforeAll(async () => {
  cluster = await startNatsCluster({ nodes: 1, auth: true });
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

describe('the NATS store’s credentials', () => {
  it('opens with the right user and password', async () => {
    const { name, password } = cluster.user!;
    const store = await natsRelayStore({ limits: LIMITS, nats: { servers: cluster.url, replicas: 1, user: name, password, name: 'CREDS' } });
    expect(store.relayId).toHaveLength(16);
    await store.close();
  });

  it('refuses to start, at once and with INVALID_OPTIONS, with a wrong password or none', async () => {
    for (const credentials of [{ user: cluster.user!.name, password: 'wrong' }, {}]) {
      const started = Date.now();
      const failure = await natsRelayStore({ limits: LIMITS, nats: { servers: cluster.url, replicas: 1, connectTimeoutMs: 20_000, ...credentials } }).then(
        () => undefined,
        (error: unknown) => error as { code?: string; message: string },
      );
      expect(failure?.code).toBe('INVALID_OPTIONS');
      expect(failure?.message).toMatch(/refused the connection|authorization/i);
      // Not retried until the connect timeout: wrong credentials do not get better by waiting.
      expect(Date.now() - started).toBeLessThan(15_000);
    }
  });
});
