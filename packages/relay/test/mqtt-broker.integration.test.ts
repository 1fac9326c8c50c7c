import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as mqttConnect, type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { envelopeExpiry, envelopeId, envelopeRoutingTags, generateIdentity, OptionsError, seal, toHex, type Identity, type InboundEnvelope, type Transport } from '@herald/core';
import { transportComplianceSuite } from '@herald/transport-compliance';
import { mqttTransport } from '@herald/transport-mqtt';
import { freePort } from '@herald/transport-mqtt/testing';
import { parseRelayConfig } from '../src/config.js';
import { resolveRelayInit } from '../src/init.js';
import { publishUntilRefused, rawClient, subscribe, topic } from './helpers/mqtt-clients.js';
import { removeTempDirs, restartRelay, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/**
 * The relay's embedded MQTT broker (`--mqtt HOST:PORT`), with the relay as a
 * real child process and the MQTT transport as its client. Aedes speaks MQTT
 * 3.1.1, so every connection here also exercises the transport's fallback from 5.
 */
const FAST = { keepaliveSeconds: 1, minReconnectDelayMs: 50, maxReconnectDelayMs: 300, connectTimeoutMs: 2000, sendTimeoutMs: 3000, maxEnvelopeBytes: 256 * 1024 } as const;
const relays: RelayProcess[] = [];
afterAll(async () => {
  for (const relay of relays) await relay.kill('SIGKILL');
  await removeTempDirs();
});

/** A relay with its broker; by default only clients proving an identity are admitted (the transport does so on its own). */
async function relayWithBroker(previous?: { relay: RelayProcess; mqttPort: number }, extraArgs: readonly string[] = []): Promise<{ relay: RelayProcess; mqttPort: number; url: string }> {
  const mqttPort = previous?.mqttPort ?? (await freePort());
  const args = ['--mqtt', `127.0.0.1:${mqttPort}`, '--log-level', 'warn', ...extraArgs];
  const relay = previous ? await restartRelay(previous.relay, { args }) : await spawnRelay({ args });
  relays.push(relay);
  return { relay, mqttPort, url: `mqtt://127.0.0.1:${mqttPort}` };
}

const routeOf = (bytes: Uint8Array) => ({ messageId: envelopeId(bytes), routingTags: envelopeRoutingTags(bytes), expiresAt: envelopeExpiry(bytes) });

function box(): { deliver: (inbound: InboundEnvelope) => Promise<void>; ids: Set<string> } {
  const ids = new Set<string>();
  return { ids, deliver: async (inbound) => void ids.add(envelopeId(inbound.bytes)) };
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function started(url: string, identity: Identity, inbox = box()): Promise<{ transport: Transport; inbox: ReturnType<typeof box> }> {
  const transport = mqttTransport({ url, identity, ...FAST });
  await transport.start({ routingTags: [toHex(identity.card.routingTag)], deliver: inbox.deliver });
  await until('the transport up', () => transport.health().state === 'up');
  return { transport, inbox };
}

async function sendPersistently(transport: Transport, bytes: Uint8Array): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await transport.send(bytes, routeOf(bytes), { signal: AbortSignal.timeout(3000) });
      return;
    } catch (error) {
      const { retryable, code } = error as { retryable?: boolean; code?: string };
      if ((!retryable && code !== 'ABORTED') || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

let shared: Awaited<ReturnType<typeof relayWithBroker>> | undefined;
transportComplianceSuite(
  'mqtt (the relay’s embedded broker, real relay process)',
  async ({ identities }) => {
    shared ??= await relayWithBroker();
    const make = (identity: Identity) => mqttTransport({ url: shared!.url, identity, ...FAST });
    return {
      sender: make(identities.sender),
      receiver: make(identities.receiver),
      reopenReceiver: () => make(identities.receiver),
      disrupt: () => shared!.relay.kill('SIGTERM'),
      async restore() {
        shared = await relayWithBroker(shared);
      },
      async teardown() {
        // The relay outlives the case.
      },
    };
  },
  { timeoutMs: 8000, settleMs: 300 },
);


describe('the relay’s embedded MQTT broker', () => {
  it('carries envelopes both ways, holds them for an offline recipient, and keeps them across a SIGKILL of the relay', async () => {
    let running = await relayWithBroker();
    const [alice, bob] = [generateIdentity({ label: 'alice' }), generateIdentity({ label: 'bob' })];
    const a = await started(running.url, alice);
    const b = await started(running.url, bob);
    const toBob = seal('to bob', { from: alice, to: bob.card });
    const toAlice = seal('to alice', { from: bob, to: alice.card });
    await a.transport.send(toBob, routeOf(toBob));
    await b.transport.send(toAlice, routeOf(toAlice));
    await until('both ways', () => b.inbox.ids.has(envelopeId(toBob)) && a.inbox.ids.has(envelopeId(toAlice)));

    await b.transport.stop();
    const held = Array.from({ length: 20 }, (_, index) => seal(`held ${index}`, { from: alice, to: bob.card }));
    for (const bytes of held) await a.transport.send(bytes, routeOf(bytes));
    // Every one was PUBACKed, so it is on disk: a crash of the whole relay loses none of them.
    await running.relay.kill('SIGKILL');
    running = await relayWithBroker(running);
    const again = await started(running.url, bob);
    await until('the 20 held envelopes after the crash', () => held.every((bytes) => again.inbox.ids.has(envelopeId(bytes))));
    await a.transport.stop();
    await again.transport.stop();
    await running.relay.kill('SIGTERM');
  });

  it('loses nothing when the relay (and its broker) restarts mid-stream', async () => {
    let running = await relayWithBroker();
    const [alice, bob] = [generateIdentity({ label: 'alice' }), generateIdentity({ label: 'bob' })];
    const a = await started(running.url, alice);
    const b = await started(running.url, bob);
    const sent = Array.from({ length: 150 }, (_, index) => seal(`stream ${index}`, { from: alice, to: bob.card }));
    let restarting: Promise<void> | undefined;
    await Promise.all(
      sent.map(async (bytes, index) => {
        await new Promise((resolve) => setTimeout(resolve, index * 5));
        if (index === 60) restarting = running.relay.kill('SIGTERM').then(async () => void (running = await relayWithBroker(running)));
        await sendPersistently(a.transport, bytes);
      }),
    );
    await restarting;
    await until('all 150 at Bob', () => sent.every((bytes) => b.inbox.ids.has(envelopeId(bytes))), 20_000);
    await a.transport.stop();
    await b.transport.stop();
    await running.relay.kill('SIGTERM');
  });

  it('refuses wildcard subscriptions and retained messages', async () => {
    const running = await relayWithBroker(undefined, ['--mqtt-anonymous']);
    const client: MqttClient = mqttConnect(running.url, { protocolVersion: 4, clientId: 'curious', reconnectPeriod: 0 });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
      // MQTT.js's `granted` repeats what was asked; the SUBACK packet holds the broker's answer, the return codes as parsed.
      const granted = await new Promise<readonly unknown[]>((resolve) => client.subscribe(['herald/v1/#', 'herald/v1/+', '$SYS/#'], { qos: 1 }, (_error, _grants, packet) => resolve(packet?.granted ?? [])));
      expect(granted).toEqual([128, 128, 128]);
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.publish('herald/v1/00ff', Buffer.from('kept forever?'), { qos: 1, retain: true });
      await closed;
    } finally {
      client.end(true);
      await running.relay.kill('SIGTERM');
    }
  });

  it('ends a connection whose packet header declares more than it takes, before the body arrives, and carries on', async () => {
    const running = await relayWithBroker(undefined, ['--mqtt-anonymous']);
    const client: MqttClient = mqttConnect(running.url, { protocolVersion: 4, clientId: 'greedy', reconnectPeriod: 0 });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      // A PUBLISH declaring 256 MiB - 1 bytes, none of which follow: a parser that waits for the whole packet would hold the connection (and that memory) open.
      (client.stream as NodeJS.WritableStream).write(Buffer.from([0x32, 0xff, 0xff, 0xff, 0x7f]));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the connection is still open 10 s after the oversized header')), 10_000)))]).finally(() => clearTimeout(timer));
      expect(running.relay.child.exitCode, 'the relay is still running').toBeNull();
      const [alice, bob] = [generateIdentity({ label: 'alice' }), generateIdentity({ label: 'bob' })];
      const a = await started(running.url, alice);
      const b = await started(running.url, bob);
      const bytes = seal('after the greedy client', { from: alice, to: bob.card });
      await a.transport.send(bytes, routeOf(bytes));
      await until('the envelope', () => b.inbox.ids.has(envelopeId(bytes)));
      await a.transport.stop();
      await b.transport.stop();
    } finally {
      client.end(true);
      await running.relay.kill('SIGTERM');
    }
  });

  it('refuses connections beyond maxConnections', async () => {
    const mqttPort = await freePort();
    const relay = await spawnRelay({ args: ['--mqtt', `127.0.0.1:${mqttPort}`, '--log-level', 'warn'], config: { maxConnections: 2 } });
    relays.push(relay);
    const sockets: Socket[] = [];
    try {
      const open = async (): Promise<{ socket: Socket; closed: Promise<void> }> => {
        const socket = tcpConnect({ host: '127.0.0.1', port: mqttPort });
        sockets.push(socket);
        socket.on('error', () => undefined);
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        return { socket, closed };
      };
      const kept = [await open(), await open()];
      const third = await open();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([third.closed, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('a third connection stayed open')), 10_000)))]).finally(() => clearTimeout(timer));
      expect(kept.every(({ socket }) => !socket.destroyed), 'the first two stay open').toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      await relay.kill('SIGTERM');
    }
  });

  it('bounds persistent sessions: 80 topics a session (64 epoch tags and 16 more), mqttMaxSessions sessions, kept across a restart', async () => {
    const mqttPort = await freePort();
    const args = ['--mqtt', `127.0.0.1:${mqttPort}`, '--log-level', 'warn'];
    let relay = await spawnRelay({ args, config: { mqttMaxSessions: 2, mqttAnonymous: true } });
    relays.push(relay);
    const url = `mqtt://127.0.0.1:${mqttPort}`;
    const clients: MqttClient[] = [];
    const connected = async (clientId: string): Promise<MqttClient> => (await rawClient(url, clientId, clients)).client;
    try {
      const first = await connected('session-one');
      // One SUBSCRIBE of 81 topics: the 81st is refused, so a single packet cannot pass the cap either.
      expect(await subscribe(first, Array.from({ length: 81 }, (_, index) => topic(index)))).toEqual([...new Array(80).fill(1), 128]);
      // An 81st topic for the same session is refused; one it holds already is granted again.
      expect(await subscribe(first, [topic(80), topic(3)])).toEqual([128, 1]);
      expect(await subscribe(await connected('session-two'), [topic(100)])).toEqual([1]);
      // Two sessions exist: a third client may not start one.
      expect(await subscribe(await connected('session-three'), [topic(200)])).toEqual([128]);
      for (const client of clients.splice(0)) client.end(true);
      // The sessions persist: after a restart the cap still counts them.
      await relay.kill('SIGTERM');
      relay = await restartRelay(relay, { args, config: { mqttMaxSessions: 2, mqttAnonymous: true } });
      relays.push(relay);
      expect(await subscribe(await connected('session-four'), [topic(300)])).toEqual([128]);
      expect(await subscribe(await connected('session-two'), [topic(101)])).toEqual([1]);
    } finally {
      for (const client of clients) client.end(true);
      await relay.kill('SIGTERM');
    }
  });

  it('ends a session whose client stayed away past mqttSessionExpirySeconds, with its queued messages; a connected client’s stays', async () => {
    const mqttPort = await freePort();
    const args = ['--mqtt', `127.0.0.1:${mqttPort}`, '--log-level', 'warn'];
    const relay = await spawnRelay({ args, config: { mqttSessionExpirySeconds: 1, purgeIntervalMs: 200, mqttMaxSessions: 2, mqttAnonymous: true } });
    relays.push(relay);
    const url = `mqtt://127.0.0.1:${mqttPort}`;
    const clients: MqttClient[] = [];
    const connected = (clientId: string, clean = false) => rawClient(url, clientId, clients, clean);
    const publish = (client: MqttClient, to: string, text: string) => new Promise<void>((resolve, reject) => client.publish(to, text, { qos: 1 }, (error) => (error ? reject(error) : resolve())));
    try {
      const away = (await connected('away')).client;
      expect(await subscribe(away, [topic(1)])).toEqual([1]);
      await new Promise<void>((resolve) => away.end(false, {}, () => resolve()));
      const { client: staying, received: got } = await connected('staying');
      expect(await subscribe(staying, [topic(2)])).toEqual([1]);
      const publisher = (await connected('publisher', true)).client;
      await publish(publisher, topic(1), 'queued for the client that went away');
      // Two sessions exist (mqttMaxSessions 2): a third client may not start one while "away" still has its own.
      const third = (await connected('third')).client;
      expect(await subscribe(third, [topic(3)])).toEqual([128]);
      // Once "away" has been gone for a second, a sweep ends its session and the third may start one.
      const deadline = Date.now() + 10_000;
      while ((await subscribe(third, [topic(3)]))[0] !== 1) {
        expect(Date.now(), 'the session of "away" to expire').toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // The connected client's session outlived the expiry time: still subscribed.
      await publish(publisher, topic(2), 'for the client that stayed');
      await until('the staying client to get its message', () => got.length === 1);
      expect(got.map((each) => each.payload.toString())).toEqual(['for the client that stayed']);
      // "away" comes back to no session, and its queued message is gone with it (rawClient listens from the first
      // byte, so a message that came with the CONNACK would be seen).
      const { sessionPresent, received: late } = await connected('away');
      expect(sessionPresent).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(late).toEqual([]);
    } finally {
      for (const client of clients) client.end(true);
      await relay.kill('SIGTERM');
    }
  });

  it('never PUBACKs a publish it cannot store: one client filling sessions it left is refused at its quotas, across a restart, and honest exchange carries on', async () => {
    const mqttPort = await freePort();
    const args = ['--mqtt', `127.0.0.1:${mqttPort}`, '--log-level', 'warn'];
    const config = { mqttSessionMaxEnvelopes: 5, mqttClientMaxEnvelopes: 8 };
    let relay = await spawnRelay({ args, config });
    relays.push(relay);
    const url = `mqtt://127.0.0.1:${mqttPort}`;
    const clients: MqttClient[] = [];
    const fill = publishUntilRefused;
    // Mallory proves identities of her own (anyone may make them): one to publish with, one for each session she fills.
    const [mallory, box1, box2] = [generateIdentity({ label: 'mallory' }), generateIdentity({ label: 'box 1' }), generateIdentity({ label: 'box 2' })];
    try {
      // Mallory opens two persistent sessions and leaves them.
      for (const [identity, index] of [[box1, 1], [box2, 2]] as const) {
        const box = (await rawClient(url, identity, clients)).client;
        expect(await subscribe(box, [topic(index)])).toEqual([1]);
        await new Promise<void>((resolve) => box.end(false, {}, () => resolve()));
      }
      // Session quota: five PUBACKs into the first box, then the sixth is refused: no PUBACK, the connection closed.
      expect(await fill((await rawClient(url, mallory, clients, true)).client, topic(1), 20)).toEqual({ acked: 5, closed: true });
      // Client quota: eight copies in all, so three more into the second box, then refused.
      expect(await fill((await rawClient(url, mallory, clients, true)).client, topic(2), 20)).toEqual({ acked: 3, closed: true });
      // What she has queued still counts after a restart (the publisher is stored with each copy).
      await relay.kill('SIGTERM');
      relay = await restartRelay(relay, { args, config });
      relays.push(relay);
      expect(await fill((await rawClient(url, mallory, clients, true)).client, topic(2), 20)).toEqual({ acked: 0, closed: true });
      // Honest exchange through the same broker is untouched.
      const [alice, bob] = [generateIdentity({ label: 'alice' }), generateIdentity({ label: 'bob' })];
      const a = await started(url, alice);
      const b = await started(url, bob);
      const sent = Array.from({ length: 3 }, (_, index) => seal(`honest ${index}`, { from: alice, to: bob.card }));
      for (const bytes of sent) await a.transport.send(bytes, routeOf(bytes));
      await until('the honest envelopes at Bob', () => sent.every((bytes) => b.inbox.ids.has(envelopeId(bytes))));
      await a.transport.stop();
      await b.transport.stop();
    } finally {
      for (const client of clients) client.end(true);
      await relay.kill('SIGTERM');
    }
  });

  it('a refused publish fails the transport’s send retryably, and is the only one the returning recipient lacks', async () => {
    const mqttPort = await freePort();
    const relay = await spawnRelay({ args: ['--mqtt', `127.0.0.1:${mqttPort}`, '--log-level', 'warn'], config: { mqttSessionMaxEnvelopes: 4 } });
    relays.push(relay);
    const url = `mqtt://127.0.0.1:${mqttPort}`;
    const [alice, carol] = [generateIdentity({ label: 'alice' }), generateIdentity({ label: 'carol' })];
    const a = await started(url, alice);
    // Carol's node subscribed once and went away: the broker queues for her session.
    await (await started(url, carol)).transport.stop();
    const sent = Array.from({ length: 5 }, (_, index) => seal(`to carol ${index}`, { from: alice, to: carol.card }));
    for (const bytes of sent.slice(0, 4)) await a.transport.send(bytes, routeOf(bytes));
    const refused = await a.transport.send(sent[4]!, routeOf(sent[4]!)).then(
      () => undefined,
      (error: unknown) => error as { code?: string; retryable?: boolean },
    );
    expect(refused, 'the fifth send failed').toBeDefined();
    expect({ code: refused?.code, retryable: refused?.retryable }).toEqual({ code: 'CHANNEL_UNAVAILABLE', retryable: true });
    // The transport reconnects on its own.
    await until('the transport up again', () => a.transport.health().state === 'up');
    const back = await started(url, carol);
    await until('the four accepted envelopes at Carol', () => sent.slice(0, 4).every((bytes) => back.inbox.ids.has(envelopeId(bytes))));
    // Nothing more comes: the refused one was not stored.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(back.inbox.ids.has(envelopeId(sent[4]!))).toBe(false);
    expect(back.inbox.ids.size).toBe(4);
    await a.transport.stop();
    await back.transport.stop();
    await relay.kill('SIGTERM');
  });

  it('validates the mqtt option like any listen address', () => {
    expect(() => resolveRelayInit({ dataDir: '/tmp/x', mqtt: 'nowhere' })).toThrow(OptionsError);
    expect(() => resolveRelayInit({ dataDir: '/tmp/x', mqtt: 'nowhere' })).toThrow(/startRelay: mqtt: expected host:port/);
    expect(resolveRelayInit({ dataDir: '/tmp/x', mqtt: '127.0.0.1:1883' }).mqtt).toEqual({ host: '127.0.0.1', port: 1883 });
    expect(resolveRelayInit({ dataDir: '/tmp/x' }).mqtt).toBeUndefined();
    expect(parseRelayConfig('dataDir: /tmp/x\nmqtt: 127.0.0.1:1883\n', '/etc/relay.yaml').mqtt).toBe('127.0.0.1:1883');
    // Admission and quotas: closed by default, quotas with their defaults, bad values named.
    const defaults = resolveRelayInit({ dataDir: '/tmp/x' });
    expect([defaults.mqttAnonymous, defaults.mqttSessionMaxEnvelopes, defaults.mqttSessionMaxBytes, defaults.mqttClientMaxEnvelopes, defaults.mqttClientMaxBytes]).toEqual([false, 10_000, 64 * 1024 * 1024, 10_000, 64 * 1024 * 1024]);
    expect(() => resolveRelayInit({ dataDir: '/tmp/x', mqttAnonymous: 'yes' as never })).toThrow(/mqttAnonymous: expected true or false/);
    expect(() => resolveRelayInit({ dataDir: '/tmp/x', mqttClientMaxBytes: 10 })).toThrow(/mqttClientMaxBytes: expected whole bytes from 1024/);
  });
});
