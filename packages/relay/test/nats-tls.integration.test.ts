import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '@herald/core';
import { makeTestCertificates, startNatsCluster, type NatsCluster, type TestCertificates } from '@herald/relay/testing';
import { natsRelayStore } from '../src/store/nats/nats-store.js';
import type { MailboxLimits } from '../src/store/relay-store.js';
import { until } from './helpers/nodes.js';
import { tracked } from './helpers/tracked.js';

/**
 * The store over TLS to a real nats-server that serves clients over TLS only, with a certificate from a throwaway
 * CA (openssl): the store verifies it against `caFile` and works; a CA that did not sign it is refused at once with
 * INVALID_OPTIONS (a certificate does not get better by waiting); credentials travel inside the TLS session.
 */
const LIMITS: MailboxLimits = { mailboxMaxEnvelopes: 100, mailboxMaxBytes: 1 << 20, maxStoredBytes: 1 << 24, maxStoredEnvelopes: 1000 };
let dir: string;
let certificates: TestCertificates;
let stranger: TestCertificates;
let cluster: NatsCluster;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'herald-nats-tls-'));
  certificates = await makeTestCertificates(dir, 'cluster');
  stranger = await makeTestCertificates(dir, 'stranger');
  cluster = await startNatsCluster({ nodes: 1, auth: true, tls: certificates });
}, 60_000);

const processes = tracked();

afterAll(async () => {
  await processes.stopAll();
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<{ close(): Promise<void> }>): Promise<{ code?: string; message: string } | undefined> {
  return promise.then(
    async (store) => {
      await store.close();
      return undefined;
    },
    (error: unknown) => error as { code?: string; message: string },
  );
}

describe('the NATS store over TLS', () => {
  it('serves tls:// URLs only', () => {
    expect(cluster.url).toMatch(/^tls:\/\/127\.0\.0\.1:\d+$/);
  });

  it('verifies the cluster against the CA it is given, with credentials, and stores and reads back', async () => {
    const { name, password } = cluster.user!;
    const store = await natsRelayStore({ limits: LIMITS, nats: { servers: cluster.url, replicas: 1, user: name, password, name: 'TLS', tls: { caFile: certificates.caFile } } });
    try {
      const envelope = new Uint8Array(64).fill(9);
      const tag = 'ab'.repeat(16);
      const deposit = await store.deposit({ envelope, tags: [tag], id: 'cd'.repeat(16), keepUntil: Date.now() + 60_000 });
      expect(deposit.outcome).toBe('stored');
      if (deposit.outcome === 'stored') await deposit.committed;
      const entries = await store.list(tag, 10, () => false);
      expect(entries.map((entry) => Buffer.from(entry.bytes).toString('hex'))).toEqual([Buffer.from(envelope).toString('hex')]);
    } finally {
      await store.close();
    }
  });

  it('refuses, at once and with INVALID_OPTIONS naming the certificate, a cluster its CA did not sign', async () => {
    const { name, password } = cluster.user!;
    const started = Date.now();
    const refused = await failure(natsRelayStore({ limits: LIMITS, nats: { servers: cluster.url, replicas: 1, user: name, password, connectTimeoutMs: 20_000, tls: { caFile: stranger.caFile } } }));
    expect(refused?.code).toBe('INVALID_OPTIONS');
    expect(refused?.message).toMatch(/TLS certificate did not verify.*tls\.caFile/);
    // Not retried until the connect timeout.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('refuses a cluster whose certificate only the system CAs would have to vouch for', async () => {
    const { name, password } = cluster.user!;
    const refused = await failure(natsRelayStore({ limits: LIMITS, nats: { servers: cluster.url, replicas: 1, user: name, password, connectTimeoutMs: 20_000 } }));
    expect(refused?.code).toBe('INVALID_OPTIONS');
    expect(refused?.message).toMatch(/TLS certificate did not verify.*tls\.caFile/);
  });

  it('refuses a plain nats:// client at a TLS-only cluster as a TLS refusal, not a timeout', async () => {
    const { name, password } = cluster.user!;
    const plain = cluster.url.replace(/^tls:/, 'nats:');
    const refused = await failure(natsRelayStore({ limits: LIMITS, nats: { servers: plain, replicas: 1, user: name, password, connectTimeoutMs: 20_000 } }));
    expect(refused?.code).toBe('INVALID_OPTIONS');
    expect(refused?.message).toMatch(/TLS certificate did not verify/);
  });

  it('runs a relay process on it from its YAML config, and two nodes exchange through it', async () => {
    const { name, password } = cluster.user!;
    const relay = await processes.relay({ args: ['--store', cluster.url, '--store-replicas', '1'], config: { store: { servers: cluster.url, name: 'TLSRELAY', user: name, password, tls: { caFile: certificates.caFile } } } });
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    const sender = await processes.node(alice, [bob], [relay.url]);
    const receiver = await processes.node(bob, [alice], [relay.url]);
    await sender.node.send(bob.card, 'over TLS to NATS');
    await until('Bob to receive through the relay on the TLS cluster', () => receiver.received.length >= 1);
    expect(receiver.received).toEqual(['over TLS to NATS']);
  });

  it('stops a relay process whose CA did not sign the cluster, saying so', async () => {
    const { name, password } = cluster.user!;
    const failed = await processes.relay({ args: ['--store', cluster.url, '--store-replicas', '1'], config: { store: { servers: cluster.url, user: name, password, tls: { caFile: stranger.caFile } } }, startTimeoutMs: 20_000 }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failed?.message).toMatch(/TLS certificate did not verify/);
  });
});

describe('the NATS store with a client certificate', () => {
  let verifying: NatsCluster;
  beforeAll(async () => {
    verifying = await startNatsCluster({ nodes: 1, tls: { ...certificates, verifyClientsCa: certificates.caFile } });
  }, 60_000);
  afterAll(async () => {
    await verifying?.close();
  });

  it('opens with the client certificate the cluster’s CA signed', async () => {
    const store = await natsRelayStore({ limits: LIMITS, nats: { servers: verifying.url, replicas: 1, name: 'MTLS', tls: { caFile: certificates.caFile, certFile: certificates.clientCertPath, keyFile: certificates.clientKeyPath } } });
    expect(store.relayId).toHaveLength(16);
    await store.close();
  });

  it('is refused without one, or with one another CA signed: INVALID_OPTIONS once connectTimeoutMs has passed', async () => {
    // nats-server ends the handshake with a TLS alert the NATS client does not report: it sees only a timeout, so
    // this refusal cannot be told from an unreachable cluster and is retried until the connect timeout.
    for (const client of [{}, { certFile: stranger.clientCertPath, keyFile: stranger.clientKeyPath }]) {
      const refused = await failure(natsRelayStore({ limits: LIMITS, nats: { servers: verifying.url, replicas: 1, connectTimeoutMs: 2_000, tls: { caFile: certificates.caFile, ...client } } }));
      expect(refused?.code).toBe('INVALID_OPTIONS');
      expect(refused?.message).toMatch(/could not reach the NATS cluster/);
    }
    expect(verifying.nodes[0]!.logs()).toMatch(/TLS handshake error/);
  });
});
