import { connect as mqttConnect, type MqttClient } from 'mqtt';
import type { Identity } from '@herald/core';
import { identityLogin } from '@herald/protocol';

/**
 * A raw MQTT 3.1.1 client (persistent session unless `clean`), pushed onto `clients` for cleanup; resolves at CONNACK.
 * Given an identity, it logs in with a proof of it (and the client id bound to it); given a client id, anonymously.
 */
export async function rawClient(url: string, who: string | Identity, clients: MqttClient[], clean = false): Promise<{ client: MqttClient; sessionPresent: boolean }> {
  const login = typeof who === 'string' ? { clientId: who } : identityLogin(who, url);
  const client = mqttConnect(url, { protocolVersion: 4, ...login, clean, reconnectPeriod: 0 });
  clients.push(client);
  const sessionPresent = await new Promise<boolean>((resolve, reject) => {
    client.once('connect', (connack) => resolve(connack.sessionPresent));
    client.once('error', reject);
  });
  return { client, sessionPresent };
}

/** The SUBACK's return codes as the broker sent them (MQTT.js's `granted` repeats what was asked). */
export const subscribe = (client: MqttClient, topics: string[]) =>
  // MQTT.js reports a refused topic as an error too; the packet is what tells which.
  new Promise<readonly unknown[]>((resolve) => client.subscribe(topics, { qos: 1 }, (_error, _grants, packet) => resolve(packet?.granted ?? [])));

export const topic = (index: number) => `herald/v1/${index.toString(16).padStart(32, '0')}`;
