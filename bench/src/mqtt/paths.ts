import { connect, type MqttClient } from 'mqtt';
import { envelopeExpiry, envelopeId, envelopeRoutingTags, toHex, type Identity, type Route } from '@herald/core';
import { mqttTransport } from '@herald/transport-mqtt';
import type { PathUnderTest } from '../relay/pipeline.js';
import { keyOf, type OpenPath } from '../relay/paths.js';

const routeOf = (envelope: Uint8Array): Route => ({ messageId: envelopeId(envelope), routingTags: envelopeRoutingTags(envelope), expiresAt: envelopeExpiry(envelope) });

/**
 * Sealed envelopes through the broker with Herald's MQTT transport on both
 * sides: QoS 1 publish resolved on the PUBACK, persistent sessions, inbound
 * PUBACK written after `deliver` resolved.
 */
export async function heraldPath(url: string, alice: Identity, bob: Identity, envelopes: readonly Uint8Array[]): Promise<OpenPath> {
  const index = new Map(envelopes.map((envelope, position) => [keyOf(envelope), position]));
  const routes = envelopes.map(routeOf);
  let arrival: (index: number) => void = () => undefined;
  const sender = mqttTransport({ url, identity: alice, maxPendingSends: 4096 });
  const receiver = mqttTransport({ url, identity: bob, maxPendingDeliveries: 1024 });
  await sender.start({ routingTags: [], deliver: async () => undefined });
  await receiver.start({ routingTags: [toHex(bob.card.routingTag)], deliver: async (inbound) => arrival(index.get(keyOf(inbound.bytes)) ?? -1) });
  const path: PathUnderTest = { send: (position) => sender.send(envelopes[position]!, routes[position]!), onArrival: (callback) => void (arrival = callback) };
  return {
    path,
    async close() {
      await sender.stop();
      await receiver.stop();
    },
  };
}

function client(url: string, clientId: string, clean: boolean): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const made = connect(url, { clientId, clean, protocolVersion: 5, reconnectPeriod: 0, ...(clean ? {} : { properties: { sessionExpiryInterval: 3600, receiveMaximum: 1024 } }) });
    // TCP_NODELAY as Herald's transport sets it: the comparison is about the protocol work, not Nagle's algorithm.
    (made.stream as { setNoDelay?: (noDelay: boolean) => unknown } | undefined)?.setNoDelay?.(true);
    made.once('connect', () => resolve(made));
    made.once('error', reject);
  });
}

/** The same bytes with bare MQTT.js: QoS 1 publish (callback on PUBACK), a QoS 1 subscriber on a persistent session that MQTT.js acks itself. */
export async function bareMqttPath(url: string, topic: string, envelopes: readonly Uint8Array[]): Promise<OpenPath> {
  const index = new Map(envelopes.map((envelope, position) => [keyOf(envelope), position]));
  const payloads = envelopes.map((envelope) => Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength));
  let arrival: (index: number) => void = () => undefined;
  const publisher = await client(url, 'bench-bare-publisher', true);
  const subscriber = await client(url, 'bench-bare-subscriber', false);
  await new Promise<void>((resolve, reject) => subscriber.subscribe(topic, { qos: 1 }, (error) => (error ? reject(error) : resolve())));
  subscriber.on('message', (_topic, payload) => arrival(index.get(keyOf(payload)) ?? -1));
  const path: PathUnderTest = {
    send: (position) => new Promise<void>((resolve, reject) => publisher.publish(topic, payloads[position]!, { qos: 1 }, (error) => (error ? reject(error) : resolve()))),
    onArrival: (callback) => void (arrival = callback),
  };
  return {
    path,
    async close() {
      await publisher.endAsync();
      await subscriber.endAsync();
    },
  };
}
