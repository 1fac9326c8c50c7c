import { connect, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { derivedClientId } from '@herald/transport-mqtt';
import { BROKERS, type Broker } from './brokers.js';
import { events, party, started, transport, until } from './helpers.js';

/**
 * Threat model 14.2: a broker that drops a node's session (here a clean-session takeover of its client id, as a
 * broker restarted without persistence would) is reported as an error event after the reconnect, not silently.
 */
const clients: MqttClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.endAsync(true).catch(() => undefined);
});

describe.each(BROKERS)('a lost session, through %s', (_kind, startBroker) => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('is reported as an error event once the transport reconnects without its session', async () => {
    const bob = party('bob');
    const channel = transport({ url: broker.url, identity: bob });
    const seen = events(channel);
    await started(channel, bob);
    expect(seen.filter((event) => event.type === 'error')).toEqual([]);
    // Someone takes the client id with a clean session, and leaves: the broker forgets the session.
    const intruder = connect(broker.url, { protocolVersion: 4, clientId: derivedClientId(bob), clean: true, reconnectPeriod: 0 });
    clients.push(intruder);
    await new Promise<void>((resolve, reject) => {
      intruder.once('connect', () => resolve());
      intruder.once('error', reject);
    });
    await intruder.endAsync();
    await until('an error event saying the session is gone', () => seen.some((event) => event.type === 'error' && /did not keep this client's session/.test(event.error.message)), 15_000);
  });
});
