import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as mqttConnect, type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '@herald/core';
import { identityLogin } from '@herald/protocol';
import { freePort } from '@herald/transport-mqtt/testing';
import { connack, publishUntilRefused, rawClient, subscribe, topic } from './helpers/mqtt-clients.js';
import { until } from './helpers/nodes.js';
import { removeTempDirs, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/**
 * The embedded broker's metrics (docs/operations.md, "Metrics"), read from a real relay process's /metrics while
 * clients drive each of them: refused logins, packets the guard refuses, copies queued for a session whose client
 * is away, publishes refused at a quota, and the fill ratio the HeraldBrokerNearlyFull alert watches.
 */
const relays: RelayProcess[] = [];
afterAll(async () => {
  for (const relay of relays) await relay.kill('SIGKILL');
  await removeTempDirs();
});

/** A raw TCP connection to the broker that sends `bytes` (if any) and resolves once connected. */
async function rawSocket(port: number, bytes?: Buffer): Promise<Socket> {
  const socket = tcpConnect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  if (bytes) socket.write(bytes);
  return socket;
}

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

describe('the embedded broker’s metrics', () => {
  it('count refused logins, guard refusals, queued copies for away sessions, refused and unrouted publishes, and how full it is', async () => {
    const mqttPort = await freePort();
    const config = { maxStoredEnvelopes: 4, mqttSessionMaxEnvelopes: 2, mqttMaxSessions: 2 };
    const relay = await spawnRelay({ args: ['--mqtt', `127.0.0.1:${mqttPort}`, '--log-level', 'warn'], config });
    relays.push(relay);
    const url = `mqtt://127.0.0.1:${mqttPort}`;
    const metric = async (name: string): Promise<number | undefined> => relay.metric(name);
    const clients: MqttClient[] = [];
    const sockets: Socket[] = [];
    try {
      expect(await metric('herald_relay_mqtt_max_sessions')).toBe(2);
      expect(await metric('herald_relay_mqtt_max_queued_messages')).toBe(4);
      expect(await metric('herald_relay_mqtt_fill_ratio')).toBe(0);
      expect(await metric('herald_relay_mqtt_logins_refused_total{reason="signature"}')).toBe(0);

      // Refused logins, each by its reason.
      const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map((label) => generateIdentity({ label }));
      expect(await connack(url, { clientId: 'anonymous' })).toBe(5);
      const forged = identityLogin(bob!, url);
      const parts = forged.password.split('.');
      parts[2] = `${parts[2]!.startsWith('0') ? '1' : '0'}${parts[2]!.slice(1)}`;
      expect(await connack(url, { ...forged, password: parts.join('.') })).toBe(4);
      const once = identityLogin(alice!, url);
      expect(await connack(url, once)).toBe(0);
      expect(await connack(url, once)).toBe(4);
      expect(await metric('herald_relay_mqtt_logins_refused_total{reason="no-proof"}')).toBe(1);
      expect(await metric('herald_relay_mqtt_logins_refused_total{reason="signature"}')).toBe(1);
      expect(await metric('herald_relay_mqtt_logins_refused_total{reason="replayed"}')).toBe(1);
      expect(await metric('herald_relay_mqtt_logins_refused_total{reason="url"}')).toBe(0);

      // The packet guard: a PUBLISH header declaring 256 MiB, and a length field of five bytes.
      const huge = await rawSocket(mqttPort, Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]));
      const malformed = await rawSocket(mqttPort, Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80]));
      await Promise.all([closed(huge), closed(malformed)]);
      expect(await metric('herald_relay_mqtt_packets_refused_total{reason="oversized"}')).toBe(1);
      expect(await metric('herald_relay_mqtt_packets_refused_total{reason="malformed"}')).toBe(1);

      // Connections by state: a TCP connection that sent no CONNECT yet, and an admitted client.
      sockets.push(await rawSocket(mqttPort));
      const bobClient = (await rawClient(url, bob!, clients)).client;
      await until('one connecting, one connected', async () => (await metric('herald_relay_mqtt_connections{state="connecting"}')) === 1 && (await metric('herald_relay_mqtt_connections{state="connected"}')) === 1);
      sockets.pop()!.destroy();

      // Bob keeps a persistent session and goes away: what is published to him is queued for an offline session.
      expect(await subscribe(bobClient, [topic(1)])).toEqual([1]);
      await new Promise<void>((resolve) => bobClient.end(false, {}, () => resolve()));
      expect(await publishUntilRefused((await rawClient(url, alice!, clients, true)).client, topic(1), 10)).toEqual({ acked: 2, closed: true });
      expect(await metric('herald_relay_mqtt_publishes_refused_total{reason="session-quota"}')).toBe(1);
      expect(await metric('herald_relay_mqtt_queued_messages{session="offline"}')).toBe(2);
      expect(await metric('herald_relay_mqtt_queued_bytes{session="offline"}')).toBe('filler 0'.length + 'filler 1'.length);
      expect(await metric('herald_relay_mqtt_sessions')).toBe(1);
      // The fullest limit: 2 of 4 queued copies, 1 of 2 sessions.
      expect(await metric('herald_relay_mqtt_fill_ratio')).toBe(0.5);

      // A publish nobody subscribes to is acknowledged and queued for no one.
      const alone = (await rawClient(url, alice!, clients, true)).client;
      expect(await publishUntilRefused(alone, topic(9), 1)).toEqual({ acked: 1, closed: false });
      expect(await metric('herald_relay_mqtt_publishes_unrouted_total')).toBe(1);

      // Carol's session takes the last session and the last two copies: the broker is full, a third is refused as such.
      const carolClient = (await rawClient(url, carol!, clients)).client;
      expect(await subscribe(carolClient, [topic(2)])).toEqual([1]);
      await new Promise<void>((resolve) => carolClient.end(false, {}, () => resolve()));
      expect(await publishUntilRefused(alone, topic(2), 10)).toEqual({ acked: 2, closed: true });
      expect(await metric('herald_relay_mqtt_publishes_refused_total{reason="broker-full"}')).toBe(1);
      expect(await metric('herald_relay_mqtt_fill_ratio')).toBe(1);
      // A third session is refused at SUBSCRIBE.
      expect(await subscribe((await rawClient(url, dave!, clients)).client, [topic(3)])).toEqual([128]);
      expect(await metric('herald_relay_mqtt_subscriptions_refused_full_total')).toBe(1);

      // Bob comes back and collects (MQTT.js PUBACKs each copy): his copies leave the offline queue; Carol's stay.
      expect((await rawClient(url, bob!, clients)).sessionPresent).toBe(true);
      await until('only Carol’s copies queued offline', async () => (await metric('herald_relay_mqtt_queued_messages{session="offline"}')) === 2 && (await metric('herald_relay_mqtt_queued_messages{session="online"}')) === 0);
      // Still full: two sessions of two, though only two copies of four are queued.
      expect(await metric('herald_relay_mqtt_fill_ratio')).toBe(1);
      // Carol comes back and never acknowledges: her copies are in flight to a connected session, no longer offline.
      const stalled = mqttConnect(url, { protocolVersion: 4, ...identityLogin(carol!, url), clean: false, reconnectPeriod: 0 });
      clients.push(stalled);
      // Set before any packet can arrive: MQTT.js PUBACKs a QoS 1 message only once handleMessage calls back.
      stalled.handleMessage = () => undefined;
      await until('Carol’s copies in flight', async () => (await metric('herald_relay_mqtt_queued_messages{session="online"}')) === 2 && (await metric('herald_relay_mqtt_queued_messages{session="offline"}')) === 0);
      expect(await metric('herald_relay_mqtt_queued_bytes{session="online"}')).toBe('filler 0'.length + 'filler 1'.length);
    } finally {
      for (const client of clients) client.end(true);
      for (const socket of sockets) socket.destroy();
      await relay.kill('SIGTERM');
    }
  });
});
