import { writeFile } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { cardToFile, envelopeExpiry, envelopeId, envelopeRoutingTags, generateIdentity, seal, toHex, type Identity, type InboundEnvelope } from '@herald/core';
import { identityLogin, PROOF_WINDOW_MS, provenClientId } from '@herald/protocol';
import { mqttTransport } from '@herald/transport-mqtt';
import { freePort } from '@herald/transport-mqtt/testing';
import { connack, rawClient, subscribe, topic } from './helpers/mqtt-clients.js';
import { removeTempDirs, restartRelay, spawnRelay, tempDir, type RelayProcess } from './helpers/relay-process.js';
import { until } from './helpers/nodes.js';

/**
 * Who the relay's embedded broker admits (docs/relay-protocol.md section 7): by
 * default only clients whose CONNECT proves an identity key, each proof once,
 * fresh, for this broker's URL and with the client id bound to that key; the
 * relay's allow-lists decide who may publish and subscribe. The relay runs as a
 * real process.
 */
const relays: RelayProcess[] = [];
afterAll(async () => {
  for (const relay of relays) await relay.kill('SIGKILL');
  await removeTempDirs();
});

async function relayWithBroker(config: Record<string, unknown> = {}): Promise<{ relay: RelayProcess; url: string; args: string[] }> {
  const mqttPort = await freePort();
  const args = ['--mqtt', `127.0.0.1:${mqttPort}`, '--log-level', 'warn'];
  const relay = await spawnRelay({ args, config });
  relays.push(relay);
  return { relay, url: `mqtt://127.0.0.1:${mqttPort}`, args };
}

/** A plain TCP port forward on loopback (as a NAT or a tunnel gives a broker another address). */
async function portForward(port: number, to: number): Promise<Server> {
  const server = createServer((socket) => {
    const upstream = connect(to, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    const end = (): void => void (socket.destroy(), upstream.destroy());
    socket.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

const FAST = { keepaliveSeconds: 1, minReconnectDelayMs: 50, maxReconnectDelayMs: 300, connectTimeoutMs: 2000, sendTimeoutMs: 3000 } as const;

describe('the embedded broker’s admission', () => {
  it('admits only a fresh proof of an identity key, once, for this broker and the client id bound to the key', async () => {
    const { relay, url, args } = await relayWithBroker();
    const [alice, bob] = [generateIdentity({ label: 'alice' }), generateIdentity({ label: 'bob' })];
    // Anonymous: not authorized.
    expect(await connack(url, { clientId: 'anonymous' })).toBe(5);
    const login = identityLogin(alice, url);
    expect(await connack(url, login)).toBe(0);
    // The same proof again (a captured CONNECT): refused.
    expect(await connack(url, login)).toBe(4);
    // Signed for another broker (a rogue broker passing it on): refused.
    expect(await connack(url, identityLogin(alice, 'mqtt://127.0.0.1:1'))).toBe(4);
    // Older than the window: refused.
    expect(await connack(url, identityLogin(alice, url, Date.now() - PROOF_WINDOW_MS - 60_000))).toBe(4);
    // Bob's proof with Alice's client id (to take her session over): refused.
    expect(await connack(url, { ...identityLogin(bob, url), clientId: provenClientId(alice.card.signingPublicKey) })).toBe(4);
    // A forged signature: refused.
    const forged = identityLogin(bob, url);
    const parts = forged.password.split('.');
    parts[2] = `${parts[2]!.startsWith('0') ? '1' : '0'}${parts[2]!.slice(1)}`;
    expect(await connack(url, { ...forged, password: parts.join('.') })).toBe(4);
    // A proof made before a restart, never used: refused after it (the restarted broker remembers no nonces).
    const early = identityLogin(bob, url);
    await relay.kill('SIGTERM');
    const again = await restartRelay(relay, { args });
    relays.push(again);
    expect(await connack(url, early)).toBe(4);
    expect(await connack(url, identityLogin(bob, url))).toBe(0);
    await again.kill('SIGTERM');
  });

  it('behind a port forward, admits proofs signed for one of mqttPublicUrls (scheme, host and port exactly), and exchange works through it', async () => {
    const forwardPort = await freePort();
    const forwarded = `mqtt://127.0.0.1:${forwardPort}`;
    const { url } = await relayWithBroker({ mqttPublicUrls: [forwarded] });
    const forwarder = await portForward(forwardPort, Number(new URL(url).port));
    try {
      const [alice, bob] = [generateIdentity({ label: 'alice' }), generateIdentity({ label: 'bob' })];
      expect(await connack(forwarded, identityLogin(alice, forwarded))).toBe(0);
      // Not the listed address: another port, the other scheme.
      expect(await connack(forwarded, identityLogin(alice, `mqtt://127.0.0.1:${forwardPort + 1}`))).toBe(4);
      expect(await connack(forwarded, identityLogin(alice, `mqtts://127.0.0.1:${forwardPort}`))).toBe(4);
      // The broker's own address still names it.
      expect(await connack(forwarded, identityLogin(bob, url))).toBe(0);
      const got = new Set<string>();
      const receiver = mqttTransport({ url: forwarded, identity: bob, ...FAST });
      await receiver.start({ routingTags: [toHex(bob.card.routingTag)], deliver: async (inbound: InboundEnvelope) => void got.add(envelopeId(inbound.bytes)) });
      const sender = mqttTransport({ url: forwarded, identity: alice, ...FAST });
      await sender.start({ routingTags: [], deliver: async () => undefined });
      await until('both up through the forward', () => receiver.health().state === 'up' && sender.health().state === 'up');
      const bytes = seal('through the forward', { from: alice, to: bob.card });
      await sender.send(bytes, { messageId: envelopeId(bytes), routingTags: envelopeRoutingTags(bytes), expiresAt: envelopeExpiry(bytes) });
      await until('the envelope at Bob', () => got.has(envelopeId(bytes)));
      await Promise.all([receiver.stop(), sender.stop()]);
    } finally {
      forwarder.close();
    }
    // Without the option, the same forward is refused: the proof names an address the broker does not know as its own.
    const { url: plain } = await relayWithBroker();
    const otherPort = await freePort();
    const other = await portForward(otherPort, Number(new URL(plain).port));
    try {
      expect(await connack(`mqtt://127.0.0.1:${otherPort}`, identityLogin(generateIdentity(), `mqtt://127.0.0.1:${otherPort}`))).toBe(4);
    } finally {
      other.close();
    }
  });

  it('the transport proves its identity on its own when refused, and exchange works; with identityProof false it stays out', async () => {
    const { relay, url } = await relayWithBroker();
    const [alice, bob] = [generateIdentity({ label: 'alice' }), generateIdentity({ label: 'bob' })];
    const got = new Set<string>();
    const receiver = mqttTransport({ url, identity: bob, ...FAST });
    await receiver.start({ routingTags: [toHex(bob.card.routingTag)], deliver: async (inbound: InboundEnvelope) => void got.add(envelopeId(inbound.bytes)) });
    const sender = mqttTransport({ url, identity: alice, ...FAST });
    await sender.start({ routingTags: [], deliver: async () => undefined });
    await until('both up', () => receiver.health().state === 'up' && sender.health().state === 'up');
    const bytes = seal('proven', { from: alice, to: bob.card });
    await sender.send(bytes, { messageId: envelopeId(bytes), routingTags: envelopeRoutingTags(bytes), expiresAt: envelopeExpiry(bytes) });
    await until('the envelope at Bob', () => got.has(envelopeId(bytes)));
    const shy = mqttTransport({ url, identity: generateIdentity({ label: 'shy' }), identityProof: false, ...FAST });
    await shy.start({ routingTags: [], deliver: async () => undefined });
    expect(shy.health()).toMatchObject({ state: 'down', reason: expect.stringMatching(/not authorized/) as unknown });
    await shy.stop();
    await sender.stop();
    await receiver.stop();
    await relay.kill('SIGTERM');
  });

  it('applies the allow-lists: neither list refuses at CONNECT, a depositor may not subscribe, a collector may not publish', async () => {
    const [depositor, collector, stranger] = [generateIdentity({ label: 'depositor' }), generateIdentity({ label: 'collector' }), generateIdentity({ label: 'stranger' })];
    const dir = await tempDir('herald-mqtt-allow-');
    const cardOf = async (identity: Identity, name: string): Promise<string> => {
      const path = join(dir, `${name}.card`);
      await writeFile(path, cardToFile(identity.card));
      return path;
    };
    const { relay, url } = await relayWithBroker({ allowDeposit: [await cardOf(depositor, 'depositor')], allowCollect: [await cardOf(collector, 'collector')] });
    const clients: MqttClient[] = [];
    try {
      expect(await connack(url, identityLogin(stranger, url))).toBe(5);
      const deposits = (await rawClient(url, depositor, clients, true)).client;
      expect(await subscribe(deposits, [topic(1)])).toEqual([128]);
      const { client: collects, received } = await rawClient(url, collector, clients);
      expect(await subscribe(collects, [topic(1)])).toEqual([1]);
      await new Promise<void>((resolve, reject) => deposits.publish(topic(1), 'allowed', { qos: 1 }, (error) => (error ? reject(error) : resolve())));
      await until('the collector to get the deposit', () => received.length > 0);
      expect(received.map((each) => each.payload.toString())).toEqual(['allowed']);
      // The collector's publish is refused: its connection ends without a PUBACK.
      const closed = new Promise<'closed'>((resolve) => collects.once('close', () => resolve('closed')));
      const outcome = await Promise.race([new Promise<'acked' | 'failed'>((resolve) => collects.publish(topic(1), 'not allowed', { qos: 1 }, (error) => resolve(error ? 'failed' : 'acked'))), closed]);
      expect(outcome).toBe('closed');
    } finally {
      for (const client of clients) client.end(true);
      await relay.kill('SIGTERM');
    }
  });
});
