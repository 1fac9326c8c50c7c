import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createNode, generateIdentity, type HeraldNode, type Identity, type ReceivedMessage } from '@herald/core';
import { lmdbStore } from '@herald/store-lmdb';
import { mqttTransport } from '@herald/transport-mqtt';
import { freePort } from '@herald/transport-mqtt/testing';
import { webSocketTransport } from '@herald/transport-websocket';
import { BROKERS, startRelay, type RelayChild } from './brokers.js';

/**
 * Two real nodes (durable LMDB stores), each with a ws:// channel through a
 * relay process and an mqtt:// channel through a broker, in that order: a
 * Mosquitto process, and again a second relay process running only as the
 * embedded broker (`--mqtt`). Stop the relay: messages go through MQTT. Start
 * it again and stop the broker: they go through the relay. Each reaches the
 * application exactly once.
 */
const workdir = await mkdtemp(join(tmpdir(), 'herald-mqtt-failover-'));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(async () => {
  await rm(workdir, { recursive: true, force: true });
});

interface Running {
  readonly node: HeraldNode;
  readonly received: ReceivedMessage[];
}

const POLICY = { sendTimeoutMs: 3000, retryMinDelayMs: 50, maxBackoffMs: 500, breakerCooldownMs: 300, ackDeadlineMs: { ROUTINE: 8000, PRIORITY: 8000, IMMEDIATE: 8000, FLASH: 8000 } };

async function startNode(identity: Identity, contact: Identity, relayUrl: string, brokerUrl: string): Promise<Running> {
  const store = await lmdbStore({ path: join(workdir, identity.card.fingerprint) });
  const node = createNode({
    identity,
    contacts: [contact.card],
    store,
    channels: [
      webSocketTransport({ url: relayUrl, identity, heartbeatIntervalMs: 300, heartbeatTimeoutMs: 1000, minReconnectDelayMs: 50, maxReconnectDelayMs: 300, connectTimeoutMs: 2000, sendTimeoutMs: 3000 }),
      mqttTransport({ url: brokerUrl, identity, keepaliveSeconds: 1, minReconnectDelayMs: 50, maxReconnectDelayMs: 300, connectTimeoutMs: 2000, sendTimeoutMs: 3000 }),
    ],
    policy: POLICY,
  });
  await node.start();
  const received: ReceivedMessage[] = [];
  const lifetime = new AbortController();
  const reading = (async () => {
    try {
      for await (const message of node.messages({ signal: lifetime.signal })) {
        received.push(message);
        await message.ack();
      }
    } catch {
      // aborted at stop
    }
  })();
  cleanups.push(async () => {
    lifetime.abort();
    await node.stop();
    await reading;
    await store.close();
  });
  return { node, received };
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.each(BROKERS)('failover between a WebSocket relay and an MQTT broker (%s)', (_kind, startBroker) => {
  it('moves to MQTT when the relay stops and back to the relay when the broker stops, each message reaching the application once', { timeout: 120_000 }, async () => {
    const broker = await startBroker();
    cleanups.push(() => broker.close());
    const relayPort = await freePort();
    const relayDir = join(workdir, `relay-${relayPort}`);
    const relayAt = async (): Promise<RelayChild> => {
      const started = await startRelay(relayPort, relayDir);
      cleanups.push(() => started.stop());
      return started;
    };
    let relay = await relayAt();
    const relayUrl = `ws://127.0.0.1:${relayPort}/`;
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    const atAlice = await startNode(alice, bob, relayUrl, broker.url);
    const atBob = await startNode(bob, alice, relayUrl, broker.url);

    const send = async (texts: readonly string[]): Promise<void> => {
      const handles = await Promise.all(texts.map((text) => atAlice.node.send('Bob', text)));
      await Promise.all(handles.map(async (handle) => expect(await handle.settled({ signal: AbortSignal.timeout(30_000) })).toBe('delivered')));
    };
    const channelsOf = (prefix: string): string[] => atBob.received.filter((message) => message.text.startsWith(prefix)).map((message) => message.channel);

    await send(['both up 1', 'both up 2', 'both up 3']);
    expect(channelsOf('both up')).toEqual([relayUrl, relayUrl, relayUrl]);

    await relay.stop();
    await send(['relay down 1', 'relay down 2', 'relay down 3']);
    expect(new Set(channelsOf('relay down'))).toEqual(new Set([broker.url]));

    relay = await relayAt();
    await broker.stop();
    // Give the WebSocket transports a moment to find the relay again (jittered backoff up to 300 ms).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await send(['broker down 1', 'broker down 2', 'broker down 3']);
    expect(new Set(channelsOf('broker down'))).toEqual(new Set([relayUrl]));

    await broker.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const texts = atBob.received.map((message) => message.text);
    expect(texts.length, `no duplicates reached the application: ${texts.join(', ')}`).toBe(new Set(texts).size);
    expect(texts.sort()).toEqual(['both up 1', 'both up 2', 'both up 3', 'broker down 1', 'broker down 2', 'broker down 3', 'relay down 1', 'relay down 2', 'relay down 3']);
  });
});
