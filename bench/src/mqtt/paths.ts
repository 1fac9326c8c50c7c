import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNode, envelopeExpiry, envelopeId, envelopeRoutingTags, toHex, type Identity, type Route, type Transport } from '@herald/core';
import { lmdbStore } from '@herald/store-lmdb';
import { mqttTransport } from '@herald/transport-mqtt';
import type { PathUnderTest } from '../relay/pipeline.js';
import { keyOf, type OpenPath } from '../relay/paths.js';
import { clientPair, publishQos1 } from './clients.js';

const routeOf = (envelope: Uint8Array): Route => ({ messageId: envelopeId(envelope), routingTags: envelopeRoutingTags(envelope), expiresAt: envelopeExpiry(envelope) });

/**
 * Sealed envelopes through the broker with Herald's MQTT transport on both
 * sides: QoS 1 publish resolved on the PUBACK, persistent sessions. On the
 * receiving side a real node (durable LMDB store) takes each envelope: it
 * opens and verifies it, stores it (seen-set and inbox, fsynced) and queues
 * the end-to-end ack back to Alice; the transport PUBACKs only after that.
 * An envelope counts as arrived when the node's `deliver` resolved, i.e. once
 * it is stored.
 */
export async function heraldPath(url: string, alice: Identity, bob: Identity, envelopes: readonly Uint8Array[]): Promise<OpenPath> {
  const index = new Map(envelopes.map((envelope, position) => [keyOf(envelope), position]));
  const routes = envelopes.map(routeOf);
  let arrival: (index: number) => void = () => undefined;
  const dir = await mkdtemp(join(tmpdir(), 'herald-bench-mqtt-'));
  const store = await lmdbStore({ path: join(dir, 'bob') });
  const sender = mqttTransport({ url, identity: alice, maxPendingSends: 4096 });
  const receiver = storedBy(mqttTransport({ url, identity: bob, maxPendingDeliveries: 1024 }), (bytes) => arrival(index.get(keyOf(bytes)) ?? -1));
  // The run leaves every message in the inbox unacked (below), so the node's bound on unacked messages must hold them all.
  const node = createNode({ identity: bob, contacts: [alice.card], store, channels: [receiver], maxReceivedMessages: Math.max(1, envelopes.length) });
  // deliver also resolves for an envelope the node refused for good: the run only counts if none was.
  const refused: string[] = [];
  node.subscribe((event) => void (event.type === 'rejected' && refused.push(`${event.code}: ${event.message}`)));
  // Alice's transport collects under her routing tag, as her node would: the end-to-end acks Bob's node sends are
  // stored by the broker and delivered (and dropped here). Without a subscriber an MQTT 5 broker answers them
  // "no matching subscribers", and Bob's node, rightly, sends them again.
  await sender.start({ routingTags: [toHex(alice.card.routingTag)], deliver: async () => undefined });
  await node.start();
  // The application reads what the node stored (without removing it), so the node's in-memory hand-over queue stays short.
  const lifetime = new AbortController();
  const reading = (async () => {
    try {
      for await (const _message of node.messages({ signal: lifetime.signal })) {
        // read and left in the durable inbox
      }
    } catch {
      // aborted at close
    }
  })();
  const path: PathUnderTest = { send: (position) => sender.send(envelopes[position]!, routes[position]!), onArrival: (callback) => void (arrival = callback) };
  return {
    path,
    async close() {
      await sender.stop();
      lifetime.abort();
      await node.stop();
      await reading;
      await store.close();
      await rm(dir, { recursive: true, force: true });
      if (refused.length > 0) throw new Error(`Bob's node refused ${refused.length} envelope(s), so they were not stored: ${refused[0]}`);
    },
  };
}

/**
 * The same envelopes with Herald's MQTT transport on both sides but no node:
 * the receiving `deliver` resolves at once. Not what issue 5 measures; printed
 * beside it to show what the transport costs apart from the node's opening
 * and storing. Its own topic prefix, so its sessions never see the node's traffic.
 */
export async function transportOnlyPath(url: string, alice: Identity, bob: Identity, envelopes: readonly Uint8Array[]): Promise<OpenPath> {
  const index = new Map(envelopes.map((envelope, position) => [keyOf(envelope), position]));
  const routes = envelopes.map(routeOf);
  let arrival: (index: number) => void = () => undefined;
  const topicPrefix = 'bench/transport/';
  const sender = mqttTransport({ url, identity: alice, maxPendingSends: 4096, topicPrefix });
  const receiver = mqttTransport({ url, identity: bob, maxPendingDeliveries: 1024, topicPrefix });
  await sender.start({ routingTags: [], deliver: async () => undefined });
  await receiver.start({ routingTags: routes[0]!.routingTags, deliver: async (inbound) => arrival(index.get(keyOf(inbound.bytes)) ?? -1) });
  return {
    path: { send: (position) => sender.send(envelopes[position]!, routes[position]!), onArrival: (callback) => void (arrival = callback) },
    async close() {
      await sender.stop();
      await receiver.stop();
    },
  };
}

/** The transport as the node sees it, reporting each envelope once the node's `deliver` resolved (stored, or refused for good). */
function storedBy(transport: Transport, stored: (bytes: Uint8Array) => void): Transport {
  return {
    name: transport.name,
    capabilities: transport.capabilities,
    start: (options) =>
      transport.start({
        ...options,
        deliver: async (inbound) => {
          await options.deliver(inbound);
          stored(inbound.bytes);
        },
      }),
    stop: (options) => transport.stop(options),
    send: (envelope, route, options) => transport.send(envelope, route, options),
    health: () => transport.health(),
    subscribe: (listener) => transport.subscribe(listener),
  };
}

/** The same bytes with bare MQTT.js: QoS 1 publish (callback on PUBACK), a QoS 1 subscriber on a persistent session that MQTT.js acks itself. */
export async function bareMqttPath(url: string, topic: string, envelopes: readonly Uint8Array[]): Promise<OpenPath> {
  const index = new Map(envelopes.map((envelope, position) => [keyOf(envelope), position]));
  const payloads = envelopes.map((envelope) => Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength));
  let arrival: (index: number) => void = () => undefined;
  const { publisher, subscriber, close } = await clientPair(url, 'bare', topic);
  subscriber.on('message', (_topic, payload) => arrival(index.get(keyOf(payload)) ?? -1));
  return { path: { send: (position) => publishQos1(publisher, topic, payloads[position]!), onArrival: (callback) => void (arrival = callback) }, close };
}
