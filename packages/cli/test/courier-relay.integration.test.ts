import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cardToFile, generateIdentity, writeSecretKeyFile } from '@herald/core';

/**
 * Two sites, each with its own relay and no link between them. Alice deposits
 * at site A's relay; a stick carries relay A's mail for Bob to relay B, where
 * Bob collects it; the return stick carries Bob's ack from relay B to relay A,
 * where Alice's node collects it and marks the message delivered.
 */
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const workdir = await mkdtemp(join(tmpdir(), 'herald-courier-relay-'));
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(workdir, { recursive: true, force: true });
});

function herald(args: string[], input: Uint8Array | string = ''): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: workdir, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(input);
  });
}

/** `herald relay` on a free loopback port; resolves with its URL and a stop function. */
async function relay(dataDir: string): Promise<{ url: string; metric(name: string): Promise<number>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [bin, 'relay', '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const [url, metricsUrl] = await new Promise<[string, string]>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /relay listening on (ws:\/\/\S+)/.exec(stdout);
      const metrics = /relay metrics on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1] && metrics?.[1]) resolve([match[1], metrics[1]]);
    });
    void exited.then(() => reject(new Error('the relay exited before listening')));
  });
  return {
    url,
    async metric(name) {
      const text = await (await fetch(metricsUrl)).text();
      return Number(text.split('\n').find((line) => line.startsWith(`${name} `))?.split(' ')[1] ?? Number.NaN);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      children.delete(child);
    },
  };
}

describe('a courier stick between two relays', () => {
  it('carries a message from site A to site B and its end-to-end ack back', async () => {
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    await writeSecretKeyFile(join(workdir, 'alice.key'), alice);
    await writeSecretKeyFile(join(workdir, 'bob.key'), bob);
    await writeFile(join(workdir, 'alice.card'), cardToFile(alice.card));
    await writeFile(join(workdir, 'bob.card'), cardToFile(bob.card));
    const [RA, RB, A, B] = ['relay-a', 'relay-b', 'alice-data', 'bob-data'].map((name) => join(workdir, name)) as [string, string, string, string];

    // Site A: Alice deposits at her relay; Bob is far away.
    let siteA = await relay(RA);
    const sent = await herald(['send', '--key', 'alice.key', '--to', 'bob.card', '--via', siteA.url, '--data-dir', A, '--wait', '2s', 'Fuel convoy reaches site B on Thursday']);
    expect(sent.code, sent.stderr).toBe(3);
    expect(sent.stderr).toContain('accepted via');
    const id = sent.stdout.toString().trim();
    await siteA.stop();

    // The stick: relay A's mail for Bob, into relay B.
    const toB = await herald(['bundle', 'export', '--relay-dir', RA, '--to', 'bob.card']);
    expect(toB.stderr).toContain('exported 1 envelope');
    const intoB = await herald(['bundle', 'import', '--relay-dir', RB], toB.stdout);
    expect(intoB.stderr, intoB.stderr).toContain('1 stored');

    // Site B: Bob collects from his relay and acks; the ack waits in relay B for Alice.
    const siteB = await relay(RB);
    const listener = spawn(process.execPath, [bin, 'listen', '--json', '--key', 'bob.key', '--via', siteB.url, '--data-dir', B, '--contact', 'alice.card'], { cwd: workdir, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(listener);
    let printed = '';
    listener.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!printed.includes('\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(JSON.parse(printed.split('\n')[0] ?? '{}')).toMatchObject({ id, text: 'Fuel convoy reaches site B on Thursday' });
    // Bob's node acks once the message is stored: wait until relay B has taken the ack in.
    while ((await siteB.metric('herald_relay_envelopes_in_total')) < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    listener.kill('SIGTERM');
    await new Promise((resolve) => listener.once('exit', resolve));
    children.delete(listener);
    await siteB.stop();

    // The return stick: relay B's mail for Alice (the ack), into relay A; Alice's node collects it.
    const toA = await herald(['bundle', 'export', '--relay-dir', RB, '--to', 'alice.card']);
    expect(toA.stderr).toContain('exported 1 envelope');
    expect((await herald(['bundle', 'import', '--relay-dir', RA], toA.stdout)).stderr).toContain('1 stored');
    siteA = await relay(RA);
    const flushed = await herald(['flush', '--key', 'alice.key', '--via', siteA.url, '--data-dir', A, '--wait', '30s']);
    expect(flushed.code, flushed.stderr).toBe(0);
    expect(flushed.stderr).toContain(`${id} delivered`);
    await siteA.stop();
  }, 180_000);
});
