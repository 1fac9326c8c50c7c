import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect as mqttConnect, type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { blindedMailbox, cardToFile, epochOf, generateIdentity, toHex } from '@herald/core';
import { mailboxLogin } from '@herald/protocol';
import { freePort } from '@herald/transport-mqtt/testing';
import { connack, rawClient, subscribe } from './helpers/mqtt-clients.js';
import { removeTempDirs, spawnRelay, tempDir, type RelayProcess } from './helpers/relay-process.js';
import { until } from './helpers/nodes.js';

/**
 * The embedded broker's mailbox proof (relay-protocol.md section 9): one epoch's blinded key, no identity, admits
 * a client to that epoch's topic only; it is refused like an identity proof when replayed, forged or signed for
 * another broker, and refused outright by a broker that admits by allow-list. The relay runs as a real process.
 */
const relays: RelayProcess[] = [];
afterAll(async () => {
  for (const relay of relays) await relay.kill('SIGKILL');
  await removeTempDirs();
});

async function relayWithBroker(config: Record<string, unknown> = {}): Promise<{ relay: RelayProcess; url: string }> {
  const mqttPort = await freePort();
  const relay = await spawnRelay({ args: ['--mqtt', `127.0.0.1:${mqttPort}`, '--log-level', 'warn'], config });
  relays.push(relay);
  return { relay, url: `mqtt://127.0.0.1:${mqttPort}` };
}

const DAY = 86_400;

describe('the embedded broker’s mailbox proof', () => {
  it("admits a fresh proof of one epoch's blinded key to that epoch's topic only, and deposits from it", async () => {
    const { relay, url } = await relayWithBroker();
    const bob = generateIdentity({ label: 'bob', epochSeconds: DAY });
    const epoch = epochOf(Date.now(), DAY);
    const mine = `herald/v1/${toHex(blindedMailbox(bob, epoch).tag)}`;
    const other = `herald/v1/${toHex(blindedMailbox(bob, epoch - 1).tag)}`;
    const clients: MqttClient[] = [];
    try {
      const login = mailboxLogin(bob, epoch, url);
      const client = mqttConnect(url, { protocolVersion: 4, ...login, clean: false, reconnectPeriod: 0 });
      clients.push(client);
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
      expect(login.username).not.toContain(toHex(bob.card.signingPublicKey));
      expect(await subscribe(client, [mine]), "the epoch's own topic").toEqual([1]);
      expect(await subscribe(client, [other]), "another epoch's topic, even of the same identity").toEqual([128]);
      // Asked together with its own (granted), the other topic is still refused, and nothing for it arrives.
      expect(await subscribe(client, [other, mine])).toEqual([128, 1]);
      const received: string[] = [];
      client.on('message', (_topic, payload) => void received.push(payload.toString()));
      const publish = (to: string, text: string): Promise<void> => new Promise<void>((resolve, reject) => client.publish(to, text, { qos: 1 }, (error) => (error ? reject(error) : resolve())));
      await publish(other, 'to the other epoch');
      await publish(mine, 'to my mailbox');
      await until('the envelope for its own topic', () => received.includes('to my mailbox'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received, 'only its own topic').toEqual(['to my mailbox']);
      // Nor did the refused topic enter the persistent session: away, then back, only its own topic's queue comes.
      await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
      const depositor = await rawClient(url, generateIdentity({ label: 'depositor' }), clients, true);
      const deposit = (to: string, text: string): Promise<void> => new Promise<void>((resolve, reject) => depositor.client.publish(to, text, { qos: 1 }, (error) => (error ? reject(error) : resolve())));
      await deposit(other, 'queued for the other epoch');
      await deposit(mine, 'queued for my mailbox');
      const back = mqttConnect(url, { protocolVersion: 4, ...mailboxLogin(bob, epoch, url), clean: false, reconnectPeriod: 0 });
      clients.push(back);
      const queued: string[] = [];
      back.on('message', (_topic, payload) => void queued.push(payload.toString()));
      await until('the queued envelope for its own topic', () => queued.includes('queued for my mailbox'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(queued, 'only its own topic was kept for it').toEqual(['queued for my mailbox']);

      // The same proof again, one signed for another broker, a forged one: refused (CONNACK 4).
      expect(await connack(url, login)).toBe(4);
      expect(await connack(url, mailboxLogin(bob, epoch, 'mqtt://127.0.0.1:1'))).toBe(4);
      const forged = mailboxLogin(bob, epoch, url);
      const parts = forged.password.split('.');
      parts[2] = `${parts[2]!.startsWith('0') ? '1' : '0'}${parts[2]!.slice(1)}`;
      expect(await connack(url, { ...forged, password: parts.join('.') })).toBe(4);
      // Another epoch's proof with this epoch's client id (to take its session): refused.
      expect(await connack(url, { ...mailboxLogin(bob, epoch + 1, url), clientId: login.clientId })).toBe(4);
    } finally {
      for (const client of clients) client.end(true);
      await relay.kill('SIGTERM');
    }
  });

  it('is refused outright (CONNACK 5) by a broker that admits by allow-list: it needs an identity', async () => {
    const collector = generateIdentity({ label: 'collector', epochSeconds: DAY });
    const dir = await tempDir('herald-mqtt-mailbox-allow-');
    const card = join(dir, 'collector.card');
    await writeFile(card, cardToFile(collector.card));
    const { relay, url } = await relayWithBroker({ allowCollect: [card] });
    try {
      expect(await connack(url, mailboxLogin(collector, epochOf(Date.now(), DAY), url))).toBe(5);
    } finally {
      await relay.kill('SIGTERM');
    }
  });
});
