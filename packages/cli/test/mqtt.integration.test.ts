import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cardToFile, generateIdentity, writeSecretKeyFile } from '@herald/core';
import { startMosquitto } from '@herald/transport-mqtt/testing';
import { run, until } from './process-kit.js';

/** `herald listen` and `herald send` as real processes through a real Mosquitto that wants a password. */
const workdir = await mkdtemp(join(tmpdir(), 'herald-cli-mqtt-'));
const broker = await startMosquitto({ users: { field: 'n0t-in-logs' } });
afterAll(async () => {
  await broker.close();
  await rm(workdir, { recursive: true, force: true });
});

describe('herald send and listen over --via mqtt://', () => {
  it('delivers through the broker, with credentials from the environment or the URL, and prints no password', async () => {
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    await writeSecretKeyFile(join(workdir, 'alice.key'), alice);
    await writeSecretKeyFile(join(workdir, 'bob.key'), bob);
    await writeFile(join(workdir, 'alice.card'), cardToFile(alice.card));
    await writeFile(join(workdir, 'bob.card'), cardToFile(bob.card));
    const plain = `mqtt://127.0.0.1:${broker.port}`;

    const listener = run(['listen', '--json', '--key', join(workdir, 'bob.key'), '--via', `mqtt://field:n0t-in-logs@127.0.0.1:${broker.port}`, '--data-dir', join(workdir, 'bob-data'), '--contact', join(workdir, 'alice.card')]);
    try {
      // Bob's session must exist before Alice publishes (a broker keeps envelopes only for sessions that subscribed):
      // "listening as" comes after the node started, and the transport's start waits for the SUBACK.
      await until(() => listener.output().includes('listening as'), 30_000, 'the listener to start');
      expect(listener.output()).toContain(`on ${plain}`);
      const send = run(['send', '--key', join(workdir, 'alice.key'), '--to', join(workdir, 'bob.card'), '--via', plain, '--data-dir', join(workdir, 'alice-data'), '--wait', '20s', 'Convoy leaves at 06:00'], { HERALD_MQTT_USERNAME: 'field', HERALD_MQTT_PASSWORD: 'n0t-in-logs' });
      expect(await send.exited, send.output()).toBe(0);
      expect(send.output()).not.toContain('n0t-in-logs');
      await until(() => listener.output().includes('Convoy leaves at 06:00'), 10_000, 'the message at the listener');
      const line = JSON.parse(listener.output().split('\n').find((candidate) => candidate.includes('Convoy'))!) as Record<string, string>;
      expect(line['channel']).toBe(plain);
      expect(listener.output()).not.toContain('n0t-in-logs');
    } finally {
      listener.child.kill('SIGTERM');
      await listener.exited;
    }
  });
});
