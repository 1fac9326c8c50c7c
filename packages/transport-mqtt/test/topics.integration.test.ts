import { connect, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BROKERS, type Broker } from './brokers.js';
import { envelope, party, pause, routeOf, started, tagOf, transport, until } from './helpers.js';

/**
 * Threat model 14.1: what a broker (and anyone it lets subscribe) sees of a send. The topic is the prefix and
 * the routing tag, nothing else, and nothing is retained for later subscribers. Against both brokers.
 */
const clients: MqttClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.endAsync(true).catch(() => undefined);
});

interface Seen {
  readonly topic: string;
  readonly payload: Buffer;
}

async function watcher(url: string, clientId: string, topics: string[]): Promise<Seen[]> {
  const client = connect(url, { protocolVersion: 4, clientId, clean: true, reconnectPeriod: 0 });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  const seen: Seen[] = [];
  client.on('message', (topic, payload) => void seen.push({ topic, payload }));
  // Mosquitto grants '#', so the watcher sees every publish; the embedded broker refuses it and only the tag's topic counts.
  for (const topic of topics) await client.subscribeAsync(topic, { qos: 1 }).catch(() => undefined);
  return seen;
}

describe.each(BROKERS)('what %s sees of a send', (_kind, startBroker) => {
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
    const seen = await watcher(broker.url, 'watcher', ['#', bobsTopic]);
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
    const late = await watcher(broker.url, 'late-watcher', [bobsTopic]);
    await pause(500);
    expect(late).toEqual([]);
  });
});
