import { afterAll, vi } from 'vitest';
import { transportComplianceSuite } from '@herald/transport-compliance';
import { type Identity } from '@herald/core';
import { webSocketTransport } from '@herald/transport-websocket';
import { removeTempDirs, restartRelay, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/**
 * The relay hands a mailbox only to a client that proves it holds the X25519
 * secret behind the routing tag, so a WebSocket transport must be built with the
 * identity whose tag it collects. The suite's setup context gives routing tags
 * only; this records every identity core generates, so setup can find the
 * identity behind each tag. (Better: the suite passes its parties to setup.)
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

const CONFIG = { heartbeatIntervalMs: 1000, maxEnvelopeBytes: 256 * 1024 };
/** One relay process for every case (each case has fresh identities, so fresh mailboxes); the cut-medium case kills and restarts it on the same port. */
let relay: RelayProcess | undefined;
afterAll(async () => {
  await relay?.kill('SIGTERM');
  await removeTempDirs();
});

function identityFor(tags: readonly string[], role: string): Identity {
  const identity = identities.get(tags[0] ?? '');
  if (!identity) throw new Error(`no identity recorded for the ${role}'s tag`);
  return identity;
}

transportComplianceSuite(
  'websocket (real relay process)',
  async ({ receiverTags, senderTags }) => {
    relay ??= await spawnRelay({ config: CONFIG });
    const url = relay.url;
    const receiver = identityFor(receiverTags, 'receiver');
    const sender = identityFor(senderTags, 'sender');
    // Short timings, so a cut relay is noticed and a restored one found again within the suite's waits.
    const common = { maxEnvelopeBytes: 256 * 1024, heartbeatIntervalMs: 300, heartbeatTimeoutMs: 1000, minReconnectDelayMs: 50, maxReconnectDelayMs: 300, connectTimeoutMs: 2000 };
    const make = (identity: Identity) => webSocketTransport({ url, identity, ...common });
    return {
      sender: make(sender),
      receiver: make(receiver),
      reopenReceiver: () => make(receiver),
      async disrupt() {
        await relay!.kill('SIGKILL');
      },
      async restore() {
        relay = await restartRelay(relay!, { config: CONFIG });
      },
      async teardown() {
        // The relay outlives the case; the suite has stopped the transports.
      },
    };
  },
  // The relay hands a mailbox only to its proven owner: the transport's epoch-tag updates are epoch-transport.integration.test.ts's.
  { timeoutMs: 8000, settleMs: 300, provesMailboxes: true },
);
