import { connect as mqttConnect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Identity } from '@herald/core';
import { identityLogin } from '@herald/protocol';

/** A message a raw client received: its topic and payload, in the order they came. */
export interface Received {
  readonly topic: string;
  readonly payload: Buffer;
}

export interface RawMqttClient {
  readonly client: MqttClient;
  readonly sessionPresent: boolean;
  /**
   * Every message the client received, from its first byte on. A persistent session's queued messages follow the
   * CONNACK at once, possibly in the same read, so a `message` handler added once `rawClient` resolves can miss
   * them: read this list instead.
   */
  readonly received: readonly Received[];
}

/**
 * A raw MQTT 3.1.1 client (persistent session unless `clean`), pushed onto `clients` for cleanup; resolves at CONNACK.
 * Given an identity, it logs in with a proof of it (and the client id bound to it); given a client id, anonymously.
 */
export async function rawClient(url: string, who: string | Identity, clients: MqttClient[], clean = false): Promise<RawMqttClient> {
  const login = typeof who === 'string' ? { clientId: who } : identityLogin(who, url);
  const client = mqttConnect(url, { protocolVersion: 4, ...login, clean, reconnectPeriod: 0 });
  clients.push(client);
  // Listening before the connection exists: nothing the broker sends can come before this handler.
  const received: Received[] = [];
  client.on('message', (topic, payload) => void received.push({ topic, payload }));
  const sessionPresent = await new Promise<boolean>((resolve, reject) => {
    client.once('connect', (connack) => resolve(connack.sessionPresent));
    client.once('error', reject);
  });
  return { client, sessionPresent, received };
}

/** The SUBACK's return codes as the broker sent them (MQTT.js's `granted` repeats what was asked). */
export const subscribe = (client: MqttClient, topics: string[]) =>
  // MQTT.js reports a refused topic as an error too; the packet is what tells which.
  new Promise<readonly unknown[]>((resolve) => client.subscribe(topics, { qos: 1 }, (_error, _grants, packet) => resolve(packet?.granted ?? [])));

export const topic = (index: number) => `herald/v1/${index.toString(16).padStart(32, '0')}`;

/** The CONNACK return code a CONNECT with these options gets (0: admitted); the connection is ended at once. */
export async function connack(url: string, options: IClientOptions): Promise<number> {
  const client: MqttClient = mqttConnect(url, { protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 5000, ...options });
  try {
    return await new Promise<number>((resolve) => {
      client.once('connect', () => resolve(0));
      client.once('error', (error) => resolve((error as { code?: unknown }).code as number));
    });
  } finally {
    client.end(true);
  }
}

/** QoS 1 publishes of `filler N` to `to`, at most `most`, until the broker refuses one: how many it PUBACKed, and whether the refusal closed the connection. */
export async function publishUntilRefused(publisher: MqttClient, to: string, most: number): Promise<{ acked: number; closed: boolean }> {
  const closed = new Promise<'closed'>((resolve) => publisher.once('close', () => resolve('closed')));
  for (let acked = 0; acked < most; acked++) {
    // MQTT.js calls back without an error only on the PUBACK; a connection that closes first means there was none.
    const outcome = await Promise.race([new Promise<'acked' | 'failed'>((resolve) => publisher.publish(to, `filler ${acked}`, { qos: 1 }, (failed) => resolve(failed ? 'failed' : 'acked'))), closed]);
    if (outcome !== 'acked') return { acked, closed: outcome === 'closed' };
  }
  return { acked: most, closed: false };
}
