import { afterAll, beforeAll, vi } from 'vitest';
import { transportComplianceSuite } from '@herald/transport-compliance';
import { type Identity } from '@herald/core';
import { webSocketTransport } from '@herald/transport-websocket';
import { startNatsCluster, type NatsCluster } from '@herald/relay/testing';
import { removeTempDirs, restartRelay, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/**
 * The transport compliance suite against relays on a real three-node NATS JetStream cluster: the sender deposits
 * through relay A, the receiver collects from relay B, so every case also crosses the cluster. As in
 * compliance.integration.test.ts, the identities core generates are recorded so setup can find the one behind
 * each routing tag (the relay hands a mailbox only to its proven owner).
 */
const identities = vi.hoisted(() => new Map<string, Identity>());
vi.mock('@herald/core', async (importOriginal) => {
  const core = await importOriginal<typeof import('@herald/core')>();
  return {
    ...core,
    generateIdentity: (...args: Parameters<typeof core.generateIdentity>) => {
      const identity = core.generateIdentity(...args);
      identities.set(core.toHex(identity.card.routingTag), identity);
      return identity;
    },
  };
});

let cluster: NatsCluster;
let relays: [RelayProcess, RelayProcess];
const config = (): Record<string, unknown> => ({ heartbeatIntervalMs: 1000, maxEnvelopeBytes: 256 * 1024, store: { servers: cluster.url, name: 'COMPLIANCE' } });

// Started before the suite, whose setup has a short timeout: a relay's first start creates the stream and buckets.
beforeAll(async () => {
  cluster = await startNatsCluster();
  relays = [await spawnRelay({ config: config() }), await spawnRelay({ config: config() })];
}, 90_000);

afterAll(async () => {
  await Promise.all((relays ?? []).map((relay) => relay.kill('SIGTERM')));
  await cluster?.close();
  await removeTempDirs();
});

function identityFor(tags: readonly string[], role: string): Identity {
  const identity = identities.get(tags[0] ?? '');
  if (!identity) throw new Error(`no identity recorded for the ${role}'s tag`);
  return identity;
}

transportComplianceSuite(
  'websocket (two relay processes on a NATS JetStream cluster)',
  async ({ receiverTags, senderTags }) => {
    const [depositUrl, collectUrl] = [relays[0].url, relays[1].url];
    const receiver = identityFor(receiverTags, 'receiver');
    const sender = identityFor(senderTags, 'sender');
    const common = { maxEnvelopeBytes: 256 * 1024, heartbeatIntervalMs: 300, heartbeatTimeoutMs: 1000, minReconnectDelayMs: 50, maxReconnectDelayMs: 300, connectTimeoutMs: 2000 };
    const make = (identity: Identity, url: string) => webSocketTransport({ url, identity, ...common });
    return {
      sender: make(sender, depositUrl),
      receiver: make(receiver, collectUrl),
      reopenReceiver: () => make(receiver, collectUrl),
      async disrupt() {
        await Promise.all(relays.map((relay) => relay.kill('SIGKILL')));
      },
      async restore() {
        relays = [await restartRelay(relays[0], { config: config() }), await restartRelay(relays[1], { config: config() })];
      },
      async teardown() {
        // The relays outlive the case; the suite has stopped the transports.
      },
    };
  },
  { timeoutMs: 8000, settleMs: 300, provesMailboxes: true },
);
