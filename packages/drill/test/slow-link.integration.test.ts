import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envelopeId, generateIdentity, seal, toHex, type Transport, type TransportHealth } from '@herald/core';
import { startProxy, type FaultProxy } from '@herald/drill';
import { mqttTransport } from '@herald/transport-mqtt';
import { webSocketTransport } from '@herald/transport-websocket';
import { startRelayDaemon, type Daemon } from '../src/topology/daemon.js';

/**
 * A link slower than every configured timeout (300 ms each way through the
 * drill's fault proxy, so a 600 ms round trip, against 500 ms to connect, a
 * 300 ms send timeout and a heartbeat or keep-alive that gives an answer
 * 400–500 ms): the transports measure the round trip and their timeouts follow
 * it (core's round-trip timer), so they connect, accept sends and stay up.
 * With fixed timeouts none of this would work.
 */
const DELAY_MS = 300;
const WAIT_MS = 15_000;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  cleanup = [];
});

async function slowLinkTo(mode: 'relay' | 'mqtt'): Promise<{ proxy: FaultProxy; url: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-slow-link-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const proxy = await startProxy(0);
  cleanup.push(() => proxy.close());
  const url = mode === 'relay' ? `ws://127.0.0.1:${proxy.port}/` : `mqtt://127.0.0.1:${proxy.port}`;
  const daemon: Daemon = await startRelayDaemon(mode, join(dir, 'data'), mode === 'relay' ? [url] : []);
  cleanup.push(() => daemon.close());
  proxy.setUpstream(daemon.port);
  proxy.setFault({ mode: 'delay', delayMs: DELAY_MS });
  return { proxy, url };
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts `transport`, waits for 'up', sends one envelope to itself and watches health for a few heartbeats. */
async function exercise(transport: Transport, identity: ReturnType<typeof generateIdentity>): Promise<{ downs: TransportHealth[]; delivered: string[] }> {
  const delivered: string[] = [];
  const downs: TransportHealth[] = [];
  cleanup.push(() => transport.stop());
  await transport.start({ routingTags: [toHex(identity.card.routingTag)], deliver: async (inbound) => void delivered.push(envelopeId(inbound.bytes)) });
  await until(`${transport.name} to come up over the slow link`, () => transport.health().state === 'up');
  transport.subscribe((event) => {
    if (event.type === 'health' && event.health.state !== 'up') downs.push(event.health);
  });
  const envelope = seal('over the satellite', { from: identity, to: identity.card });
  // Its acceptance takes a round trip: twice the configured send timeout.
  const receipt = await transport.send(envelope, { messageId: envelopeId(envelope), routingTags: [toHex(identity.card.routingTag)], expiresAt: Date.now() + 3_600_000 });
  expect(receipt.channel).toBe(transport.name);
  await until('the envelope to come back', () => delivered.includes(envelopeId(envelope)));
  // Several heartbeat or keep-alive periods, each answer slower than the configured allowance.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const estimate = transport.roundTrip?.();
  expect(estimate?.srttMs, 'the measured round trip').toBeGreaterThan(DELAY_MS);
  return { downs, delivered };
}

describe('timeouts follow the measured round trip', () => {
  it('websocket: connects, deposits and keeps its heartbeat over a link slower than each configured timeout', async () => {
    const { url } = await slowLinkTo('relay');
    const identity = generateIdentity();
    const transport = webSocketTransport({ url, identity, connectTimeoutMs: 500, sendTimeoutMs: 300, heartbeatIntervalMs: 200, heartbeatTimeoutMs: 400, minReconnectDelayMs: 50, maxReconnectDelayMs: 200 });
    const { downs } = await exercise(transport, identity);
    expect(downs, 'health after the link came up').toEqual([]);
  }, 60_000);

  it('mqtt: connects, publishes and keeps its keep-alive over a link slower than each configured timeout', async () => {
    const { url } = await slowLinkTo('mqtt');
    const identity = generateIdentity();
    const transport = mqttTransport({ url, identity, connectTimeoutMs: 500, sendTimeoutMs: 300, keepaliveSeconds: 1, minReconnectDelayMs: 50, maxReconnectDelayMs: 200 });
    const { downs } = await exercise(transport, identity);
    expect(downs, 'health after the link came up').toEqual([]);
  }, 60_000);
});
