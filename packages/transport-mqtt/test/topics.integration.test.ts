import { connect, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BROKERS, type Broker } from './brokers.js';
import type { Identity } from '@herald/core';
import { derivedClientId, identityLogin, provenClientId } from '@herald/transport-mqtt';
import { envelope, events, party, pause, routeOf, started, tagOf, transport, until } from './helpers.js';

/**
 * Threat model 14: what a broker (and anyone it lets subscribe) sees of a send: the topic is the prefix and the
 * routing tag, nothing else, and nothing is retained for later subscribers. And a broker that drops a node's
 * session is reported, not silently survived. Against both brokers.
 */
const clients: MqttClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.endAsync(true).catch(() => undefined);
});

interface Seen {
  readonly topic: string;
  readonly payload: Buffer;
}

/** A plain MQTT.js client logged in as `who` with an identity proof (the embedded broker admits no anonymous client; Mosquitto here takes any). */
async function cleanClient(url: string, who: Identity, clientId?: string): Promise<MqttClient> {
  const login = identityLogin(who, url);
  const client = connect(url, { protocolVersion: 4, clientId: clientId ?? login.clientId, username: login.username, password: login.password, clean: true, reconnectPeriod: 0 });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

async function watcher(url: string, who: Identity, topics: string[]): Promise<Seen[]> {
  const client = await cleanClient(url, who);
  const seen: Seen[] = [];
  client.on('message', (topic, payload) => void seen.push({ topic, payload }));
  // Mosquitto grants '#', so the watcher sees every publish; the embedded broker refuses it and only the tag's topic counts.
  for (const topic of topics) await client.subscribeAsync(topic, { qos: 1 }).catch(() => undefined);
  return seen;
}

describe.each(BROKERS)('what %s sees and does', (_kind, startBroker) => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('one publish, on herald/v1/<routing tag hex> only, with the envelope as it is, and nothing retained', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    const bobsTopic = `herald/v1/${tagOf(bob)}`;
    const seen = await watcher(broker.url, party('watcher'), ['#', bobsTopic]);
    const sender = transport({ url: broker.url, identity: alice });
    await started(sender, alice);
    const bytes = envelope(alice, bob);
    await sender.send(bytes, routeOf(bytes));
    await until('the watcher to see the envelope', () => seen.length > 0);
    await pause(300);
    for (const message of seen) {
      expect(message.topic).toBe(bobsTopic);
      expect(message.payload.equals(Buffer.from(bytes))).toBe(true);
    }
    const late = await watcher(broker.url, party('late-watcher'), [bobsTopic]);
    await pause(500);
    expect(late).toEqual([]);
  });

  it('a session the broker dropped is reported as an error event once the transport reconnects without it', async () => {
    const bob = party('bob');
    const channel = transport({ url: broker.url, identity: bob });
    const seen = events(channel);
    await started(channel, bob);
    expect(seen.filter((event) => event.type === 'error')).toEqual([]);
    // Bob's own key takes his client id with a clean session and leaves, as a broker restarted without persistence
    // forgets. His transport proves its identity only to a broker that asks (the embedded one): so its client id.
    const clientId = broker.kind !== 'Mosquitto' ? provenClientId(bob.card.signingPublicKey) : derivedClientId(bob);
    await (await cleanClient(broker.url, bob, clientId)).endAsync();
    await until('an error event saying the session is gone', () => seen.some((event) => event.type === 'error' && /did not keep this client's session/.test(event.error.message)), 15_000);
  });
});
