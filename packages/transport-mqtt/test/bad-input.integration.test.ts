import { randomFillSync } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { connect, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNode, memoryStore, seal, TransportError, type HeraldNode, type HeraldStore, type Identity, type NodeEvent, type Transport } from '@herald/core';
import { DEFAULT_TOPIC_PREFIX, identityLogin, mqttTransport, topicFor } from '@herald/transport-mqtt';
import { applicationReader } from '@herald/transport-compliance';
import { BROKERS, embeddedBroker, type Broker } from './brokers.js';
import { envelope, events, FAST, party, pause, recorder, routeOf, tagOf, until } from './helpers.js';

/**
 * Bad input on a recipient's topic, published by a bare MQTT client that
 * anyone with access to the broker could run: it reaches the node as typed
 * refusals (or is dropped by the transport with a typed error), is
 * acknowledged once and never offered again, never blocks the envelopes after
 * it, and neither the node nor the broker falls over. Against both brokers.
 */
const ENVELOPE_CODES = new Set(['MALFORMED', 'UNSUPPORTED_VERSION', 'TOO_LARGE', 'NOT_FOR_ME', 'DECRYPT_FAILED', 'BAD_SIGNATURE', 'UNKNOWN_SENDER', 'EXPIRED', 'NOT_YET_VALID', 'REPLAY']);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A bare MQTT client of a fresh identity it proves (the relay's embedded broker asks for that; Mosquitto here takes any login). */
async function rawClient(url: string, label: string): Promise<MqttClient> {
  const client = connect(url, { protocolVersion: 4, ...identityLogin(party(label), url), clean: true, reconnectPeriod: 0 });
  cleanups.push(() => client.endAsync(true));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

interface Running {
  readonly node: HeraldNode;
  readonly channel: Transport;
  readonly texts: string[];
  readonly nodeEvents: NodeEvent[];
}

/** Bob's node (his store, Alice as contact) on one mqtt:// channel, reading what it stores. */
async function bobsNode(url: string, bob: Identity, alice: Identity, store: HeraldStore): Promise<Running> {
  const channel = mqttTransport({ url, identity: bob, ...FAST });
  const node = createNode({ identity: bob, contacts: [alice.card], store, channels: [channel] });
  const nodeEvents: NodeEvent[] = [];
  node.subscribe((event) => nodeEvents.push(event));
  await node.start();
  const { received: texts, stop } = applicationReader(node);
  cleanups.push(stop);
  await until('Bob’s channel up', () => channel.health().state === 'up');
  return { node, channel, texts, nodeEvents };
}

const rejections = (running: Running) => running.nodeEvents.flatMap((event) => (event.type === 'rejected' ? [event] : []));

describe.each(BROKERS)('bad input on a topic, through %s', (_kind, startBroker) => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('garbage reaches the node as typed refusals, each acknowledged once, and the envelope after it is delivered', async () => {
    const [alice, bob, carol] = [party('alice'), party('bob'), party('carol')];
    const store = memoryStore();
    const first = await bobsNode(broker.url, bob, alice, store);
    const topic = topicFor(DEFAULT_TOPIC_PREFIX, tagOf(bob));
    const tampered = seal('tampered', { from: alice, to: bob.card });
    tampered[Math.floor(tampered.length / 2)]! ^= 0x01;
    const garbage: Buffer[] = [
      randomFillSync(Buffer.alloc(300)),
      Buffer.alloc(0),
      Buffer.from(seal('cut short', { from: alice, to: bob.card }).subarray(0, 40)),
      Buffer.from(tampered),
      // Well-formed, but sealed to someone else: only the routing tag was Bob's to see.
      Buffer.from(seal('for carol', { from: alice, to: carol.card })),
    ];
    // Any client allowed on the broker may publish anything on any topic.
    const noise = await rawClient(broker.url, 'noise-maker');
    for (const payload of garbage) await noise.publishAsync(topic, payload, { qos: 1 });
    const real = seal('the real one', { from: alice, to: bob.card });
    await noise.publishAsync(topic, Buffer.from(real), { qos: 1 });

    await until('the real envelope at Bob’s application', () => first.texts.includes('the real one'));
    await until('a refusal for each garbage message', () => rejections(first).length >= garbage.length);
    await pause(300);
    const refused = rejections(first);
    expect(refused).toHaveLength(garbage.length);
    for (const event of refused) {
      expect(ENVELOPE_CODES, `a typed code: ${event.code} (${event.message})`).toContain(event.code);
      expect(event.channel).toBe(first.channel.name);
    }
    expect(refused.map((event) => event.code)).toContain('NOT_FOR_ME');
    expect(first.texts).toEqual(['the real one']);
    expect(first.channel.health().state).toBe('up');
    expect(broker.alive(), `${broker.kind} still running`).toBe(true);

    // Acknowledged, so the broker holds none of it for Bob's session: a restarted node sees only what comes next.
    await first.node.stop();
    const second = await bobsNode(broker.url, bob, alice, store);
    const sentinel = seal('after the restart', { from: alice, to: bob.card });
    await noise.publishAsync(topic, Buffer.from(sentinel), { qos: 1 });
    await until('the sentinel', () => second.texts.includes('after the restart'));
    await pause(300);
    expect(rejections(second), 'garbage offered again after the restart').toEqual([]);
    expect(second.texts).toEqual(['after the restart']);
  });

  it('a message over maxEnvelopeBytes is dropped with a typed CHANNEL_TOO_SMALL, never delivered, and the connection carries on', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    // 3.1.1 on both brokers: an MQTT 5 broker would already hold it back (the transport sends Maximum Packet Size), so this reaches the transport's own check.
    const channel = mqttTransport({ url: broker.url, identity: bob, ...FAST, protocolVersion: 4, maxEnvelopeBytes: 4096 });
    cleanups.push(() => channel.stop());
    const seen = events(channel);
    const box = recorder();
    await channel.start({ routingTags: [tagOf(bob)], deliver: box.deliver });
    await until('up', () => channel.health().state === 'up');
    const noise = await rawClient(broker.url, 'oversize-maker');
    await noise.publishAsync(topicFor(DEFAULT_TOPIC_PREFIX, tagOf(bob)), randomFillSync(Buffer.alloc(8192)), { qos: 1 });
    const fits = envelope(alice, bob);
    await noise.publishAsync(topicFor(DEFAULT_TOPIC_PREFIX, tagOf(bob)), Buffer.from(fits), { qos: 1 });
    await until('the envelope that fits', () => box.received.length === 1);
    const errors = seen.flatMap((event) => (event.type === 'error' ? [event.error] : []));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TransportError);
    expect(errors[0]).toMatchObject({ code: 'CHANNEL_TOO_SMALL', retryable: false, channel: channel.name });
    expect(errors[0]!.message).toMatch(/8192 bytes exceeds maxEnvelopeBytes \(4096\)/);
    expect(box.offers, 'the oversize message never reached deliver').toBe(1);
    expect(channel.health().state).toBe('up');
  });

  it('a message on a topic the transport no longer collects (left in its persistent session) is dropped with a typed CHANNEL_REJECTED', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    const old = party('old-tag');
    const first = mqttTransport({ url: broker.url, identity: bob, ...FAST });
    await first.start({ routingTags: [tagOf(bob), tagOf(old)], deliver: recorder().deliver });
    await until('up', () => first.health().state === 'up');
    await first.stop();
    const channel = mqttTransport({ url: broker.url, identity: bob, ...FAST });
    cleanups.push(() => channel.stop());
    const seen = events(channel);
    const box = recorder();
    await channel.start({ routingTags: [tagOf(bob)], deliver: box.deliver });
    await until('up', () => channel.health().state === 'up');
    const stale = envelope(alice, old);
    const sender = mqttTransport({ url: broker.url, identity: alice, ...FAST });
    cleanups.push(() => sender.stop());
    await sender.start({ routingTags: [], deliver: async () => undefined });
    await sender.send(stale, routeOf(stale));
    const fresh = envelope(alice, bob);
    await sender.send(fresh, routeOf(fresh));
    await until('the envelope for Bob’s current tag', () => box.received.length === 1);
    await until('an error event', () => seen.some((event) => event.type === 'error'));
    const errors = seen.flatMap((event) => (event.type === 'error' ? [event.error] : []));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'CHANNEL_REJECTED', retryable: false });
    expect(box.offers).toBe(1);
  });
});

describe('bad input at the relay’s embedded broker', () => {
  it('bytes that are not MQTT at all end only that connection: the relay stays up and carries on', async () => {
    const broker = await embeddedBroker();
    cleanups.push(() => broker.close());
    const port = Number(new URL(broker.url).port);
    for (const junk of [randomFillSync(Buffer.alloc(4096)), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f])]) {
      const socket = tcpConnect({ host: '127.0.0.1', port });
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('error', () => undefined);
      socket.write(junk);
      await closed;
    }
    expect(broker.alive(), 'the relay process is still running').toBe(true);
    const [alice, bob] = [party('alice'), party('bob')];
    const box = recorder();
    const channel = mqttTransport({ url: broker.url, identity: bob, ...FAST });
    cleanups.push(() => channel.stop());
    await channel.start({ routingTags: [tagOf(bob)], deliver: box.deliver });
    await until('up', () => channel.health().state === 'up');
    const sender = mqttTransport({ url: broker.url, identity: alice, ...FAST });
    cleanups.push(() => sender.stop());
    await sender.start({ routingTags: [], deliver: async () => undefined });
    const bytes = envelope(alice, bob);
    await sender.send(bytes, routeOf(bytes));
    await until('the envelope', () => box.received.length === 1);
  });

  it('a publish over the relay’s maxEnvelopeBytes ends only that client’s connection: the relay stays up and carries on', async () => {
    const broker = await embeddedBroker();
    cleanups.push(() => broker.close());
    const [alice, bob] = [party('alice'), party('bob')];
    const box = recorder();
    const channel = mqttTransport({ url: broker.url, identity: bob, ...FAST });
    cleanups.push(() => channel.stop());
    await channel.start({ routingTags: [tagOf(bob)], deliver: box.deliver });
    await until('up', () => channel.health().state === 'up');
    const noise = await rawClient(broker.url, 'flooder');
    const closed = new Promise<void>((resolve) => noise.once('close', () => resolve()));
    // The relay's default maxEnvelopeBytes is 1 MiB.
    noise.publish(topicFor(DEFAULT_TOPIC_PREFIX, tagOf(bob)), randomFillSync(Buffer.alloc(1024 * 1024 + 1)), { qos: 1 });
    await closed;
    expect(broker.alive(), 'the relay process is still running').toBe(true);
    const sender = mqttTransport({ url: broker.url, identity: alice, ...FAST });
    cleanups.push(() => sender.stop());
    await sender.start({ routingTags: [], deliver: async () => undefined });
    const fits = envelope(alice, bob);
    await sender.send(fits, routeOf(fits));
    await until('the envelope that fits', () => box.received.length === 1);
    expect(box.offers, 'the oversize publish never reached Bob').toBe(1);
  });
});
