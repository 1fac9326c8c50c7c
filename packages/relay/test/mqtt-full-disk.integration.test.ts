import { randomFillSync } from 'node:crypto';
import { rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '@herald/core';
import { freePort } from '@herald/transport-mqtt/testing';
import { rawClient, subscribe, topic } from './helpers/mqtt-clients.js';
import { removeTempDirs, spawnRelay, type RelayProcess } from './helpers/relay-process.js';
import { smallDiskDataDir } from './helpers/small-disk.js';

/**
 * The embedded broker's store on a 4 MiB tmpfs (root and mount needed; skipped otherwise): publishes are refused
 * (no PUBACK, connection closed) before the disk is full, the relay stays up, publishing resumes once there is room,
 * and every publish it acknowledged reaches the subscriber.
 */
const PAYLOAD_BYTES = 48 * 1024;
const MIN_FREE = 1024 * 1024;
let dataDir: string;
let mountPoint: string | undefined;
const clients: MqttClient[] = [];
let relay: RelayProcess | undefined;
let unmount = (): void => undefined;
beforeAll(async () => {
  ({ dataDir, mountPoint, unmount } = await smallDiskDataDir('herald-mqtt-full-'));
});
afterAll(async () => {
  for (const client of clients.splice(0)) client.end(true);
  await relay?.kill('SIGKILL');
  unmount();
  await removeTempDirs();
});

/** Publishes at QoS 1: 'acked' on the PUBACK, 'refused' when the broker closes the connection instead, or after 5 s without an answer. */
function publish(client: MqttClient, payload: Buffer): Promise<'acked' | 'refused'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('refused'), 5000);
    client.once('close', () => resolve('refused'));
    client.publish(topic(1), payload, { qos: 1 }, (error) => {
      clearTimeout(timer);
      resolve(error ? 'refused' : 'acked');
    });
  });
}

describe('the embedded MQTT broker on a full disk (real relay process)', () => {
  it('refuses publishes before the disk is full, stays up, resumes once there is room, and delivers all it acknowledged', async (context) => {
    if (!mountPoint) return context.skip('needs root and mount for a small tmpfs');
    const mqttPort = await freePort();
    relay = await spawnRelay({ dataDir, args: ['--mqtt', `127.0.0.1:${mqttPort}`, '--log-level', 'warn'], config: { minFreeBytes: MIN_FREE, maxEnvelopeBytes: 128 * 1024 } });
    const url = `mqtt://127.0.0.1:${mqttPort}`;
    const [alice, bob] = [generateIdentity({ label: 'alice' }), generateIdentity({ label: 'bob' })];
    // Bob subscribes once (a persistent session) and goes away: what Alice publishes is queued on the broker's disk.
    const away = await rawClient(url, bob, clients);
    expect(await subscribe(away.client, [topic(1)])).toEqual([1]);
    away.client.end();
    // Most of the disk taken by something else, so the broker's queue soon meets minFreeBytes.
    const free = (await statfs(mountPoint)).bavail * (await statfs(mountPoint)).bsize;
    const filler = join(mountPoint, 'filler');
    await writeFile(filler, Buffer.alloc(Math.max(0, free - MIN_FREE - 12 * PAYLOAD_BYTES)));
    const acked: Buffer[] = [];
    let refused = false;
    const sender = (await rawClient(url, alice, clients, true)).client;
    for (let index = 0; index < 64 && !refused; index++) {
      const payload = randomFillSync(Buffer.alloc(PAYLOAD_BYTES));
      if ((await publish(sender, payload)) === 'acked') acked.push(payload);
      else refused = true;
    }
    expect(refused, 'a publish was refused before the disk filled').toBe(true);
    expect(acked.length).toBeGreaterThan(0);
    const left = await statfs(mountPoint);
    expect(left.bavail * left.bsize, 'free space left when refusing').toBeGreaterThan(MIN_FREE / 2);
    expect((await relay.get('/healthz')).status, 'the relay is up').toBe(200);
    expect(relay.child.exitCode).toBeNull();
    // Counted by reason on /metrics: the disk, not a quota.
    expect(await relay.metric('herald_relay_mqtt_publishes_refused_total{reason="disk-full"}')).toBe(1);
    expect(await relay.metric('herald_relay_mqtt_publishes_refused_total{reason="broker-full"}')).toBe(0);
    // Room again: publishing resumes without a restart (the free space is read again after a refusal).
    await rm(filler);
    const later = randomFillSync(Buffer.alloc(PAYLOAD_BYTES));
    const resumed = (await rawClient(url, alice, clients, true)).client;
    expect(await publish(resumed, later)).toBe('acked');
    acked.push(later);
    // Bob comes back to every acknowledged publish (rawClient listens from the start: the queued publishes follow the
    // CONNACK at once, possibly in the same read).
    const { sessionPresent, received } = await rawClient(url, bob, clients);
    expect(sessionPresent).toBe(true);
    const deadline = Date.now() + 20_000;
    while (received.length < acked.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const missing = acked.filter((payload) => !received.some((each) => each.payload.equals(payload))).length;
    expect(missing, `acknowledged publishes Bob never received, of ${acked.length} (${received.length} received)`).toBe(0);
  });
});
