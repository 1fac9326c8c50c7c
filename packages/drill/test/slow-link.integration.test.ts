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

async function slowLinkTo(mode: 'relay' | 'mqtt', delayMs: number | null = DELAY_MS): Promise<{ proxy: FaultProxy; url: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-slow-link-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const proxy = await startProxy(0);
  cleanup.push(() => proxy.close());
  const url = mode === 'relay' ? `ws://127.0.0.1:${proxy.port}/` : `mqtt://127.0.0.1:${proxy.port}`;
  // Either way the daemon is told the URL clients dial (the proxy's), so their signed proofs name it.
  const daemon: Daemon = await startRelayDaemon(mode, join(dir, 'data'), mode === 'relay' ? [url] : [], mode === 'mqtt' ? ['--mqtt-public-url', url] : []);
  cleanup.push(() => daemon.close());
  proxy.setUpstream(daemon.port);
  if (delayMs !== null) proxy.setFault({ mode: 'delay', delayMs });
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

/** Brings `transport` up over a fast link, then delays it `delayMs` each way and watches health for several heartbeats. */
async function grows(transport: Transport, identity: ReturnType<typeof generateIdentity>, proxy: FaultProxy, delayMs: number): Promise<TransportHealth[]> {
  const downs: TransportHealth[] = [];
  cleanup.push(() => transport.stop());
  await transport.start({ routingTags: [toHex(identity.card.routingTag)], deliver: async () => undefined });
  await until(`${transport.name} to come up`, () => transport.health().state === 'up');
  // Quiet for a while first, so the estimate is the fast link's.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(transport.roundTrip?.()?.srttMs, 'the fast link measured').toBeLessThan(delayMs);
  transport.subscribe((event) => {
    if (event.type === 'health' && event.health.state !== 'up') downs.push(event.health);
  });
  proxy.setFault({ mode: 'delay', delayMs });
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  // Smoothed (α = 1/8) from a loopback's estimate: a few samples of the new round trip move it past half of it.
  expect(transport.roundTrip?.()?.srttMs, 'the grown round trip measured').toBeGreaterThan(delayMs / 2);
  return downs;
}

describe('timeouts follow the measured round trip', () => {
  it('websocket: connects, deposits and keeps its heartbeat over a link slower than each configured timeout', async () => {
    const { url } = await slowLinkTo('relay');
    const identity = generateIdentity();
    const transport = webSocketTransport({ url, identity, connectTimeoutMs: 500, sendTimeoutMs: 300, heartbeatIntervalMs: 200, heartbeatTimeoutMs: 400, minReconnectDelayMs: 50, maxReconnectDelayMs: 200 });
    const { downs } = await exercise(transport, identity);
    expect(downs, 'health after the link came up').toEqual([]);
  }, 60_000);

  /**
   * The route moves onto a slower link after the transport came up: its estimate (a loopback's, under a millisecond)
   * is suddenly wrong, and the first answer comes after the heartbeat's timeout. As TCP's retransmission timer, the
   * first time out backs off and probes again, the late answer gives a fresh sample, and the link stays up.
   */
  it('websocket: keeps a link whose round trip grows past the heartbeat timeout after it came up', async () => {
    // 250 ms each way: the next ping's answer comes 200 + 500 ms after the last frame, past the 400 ms timeout and
    // within the 800 ms it backs off to.
    const { proxy, url } = await slowLinkTo('relay', null);
    const identity = generateIdentity();
    const transport = webSocketTransport({ url, identity, heartbeatIntervalMs: 200, heartbeatTimeoutMs: 400, minReconnectDelayMs: 50, maxReconnectDelayMs: 200 });
    const downs = await grows(transport, identity, proxy, 250);
    expect(downs, 'health after the route grew').toEqual([]);
  }, 60_000);

  it('mqtt: keeps a link whose round trip grows past the keep-alive\'s wait after it came up', async () => {
    // 300 ms each way: MQTT.js pings after 1 s of silence and gives up at 1.5 s; the answer comes at 1.6 s.
    const { proxy, url } = await slowLinkTo('mqtt', null);
    const identity = generateIdentity();
    const transport = mqttTransport({ url, identity, keepaliveSeconds: 1, minReconnectDelayMs: 50, maxReconnectDelayMs: 200 });
    const downs = await grows(transport, identity, proxy, 300);
    expect(downs, 'health after the route grew').toEqual([]);
  }, 60_000);

  it('mqtt: connects, publishes and keeps its keep-alive over a link slower than each configured timeout', async () => {
    const { url } = await slowLinkTo('mqtt');
    const identity = generateIdentity();
    const transport = mqttTransport({ url, identity, connectTimeoutMs: 500, sendTimeoutMs: 300, keepaliveSeconds: 1, minReconnectDelayMs: 50, maxReconnectDelayMs: 200 });
    const { downs } = await exercise(transport, identity);
    expect(downs, 'health after the link came up').toEqual([]);
  }, 60_000);
});
