import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cardToFile, generateIdentity, writeSecretKeyFile } from '@herald/core';
import { removeTempDirs, tempDir } from './helpers/relay-process.js';

/** `herald relay`, `herald send`, `herald listen` and `herald flush` as real processes, talking through ws:// channels. */
const HERALD = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await removeTempDirs();
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HERALD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Relay {
  url: string;
  port: number;
  child: ChildProcess;
  exited: Promise<unknown>;
}

async function relay(dataDir: string, port = 0): Promise<Relay> {
  const child = spawn(process.execPath, [HERALD, 'relay', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^relay listening on (ws:\/\/\S+)\n/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error('herald relay exited before listening')));
  });
  return { url, port: Number(new URL(url).port), child, exited };
}

interface Listener {
  child: ChildProcess;
  texts: string[];
}

function listen(args: string[]): Listener {
  const child = spawn(process.execPath, [HERALD, 'listen', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const listener: Listener = { child, texts: [] };
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) listener.texts.push((JSON.parse(line) as { text: string }).text);
  });
  return listener;
}

async function until(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function kill(target: { child: ChildProcess }, signal: NodeJS.Signals): Promise<void> {
  const exited = new Promise((resolve) => target.child.once('exit', resolve));
  target.child.kill(signal);
  await exited;
}

describe('herald send / listen / flush through herald relay', () => {
  it('delivers to an offline recipient later, survives a relay SIGKILL, and fails over to a second relay — each message once', { timeout: 120_000 }, async () => {
    const dir = await tempDir('herald-cli-relay-');
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    const file = (name: string): string => join(dir, name);
    await writeSecretKeyFile(file('alice.key'), alice);
    await writeSecretKeyFile(file('bob.key'), bob);
    await writeFile(file('alice.card'), cardToFile(alice.card));
    await writeFile(file('bob.card'), cardToFile(bob.card));
    let first = await relay(file('relay1'));
    const second = await relay(file('relay2'));
    const alicesNode = (...via: string[]): string[] => ['--key', file('alice.key'), '--data-dir', file('alice'), ...via.flatMap((url) => ['--via', url])];
    const bobsNode = (...via: string[]): string[] => ['--key', file('bob.key'), '--data-dir', file('bob'), ...via.flatMap((url) => ['--via', url])];

    // Bob is offline: the message waits in the relay; send exits 3 (stored, not yet acknowledged).
    const offline = await run(['send', ...alicesNode(first.url), '--to', file('bob.card'), '--wait', '0', 'sent while Bob was away']);
    expect(offline.code, offline.stderr).toBe(3);

    const bobListening = listen([...bobsNode(first.url, second.url), '--contact', file('alice.card')]);
    await until('Bob to collect the message kept for him', () => bobListening.texts.includes('sent while Bob was away'));

    // Live: send waits for Bob's end-to-end ack (exit 0), and carries the first message's ack home too.
    const live = await run(['send', ...alicesNode(first.url), '--to', 'Bob', 'live']);
    expect(live.code, live.stderr).toBe(0);

    // The relay is SIGKILLed with messages in it and restarted on the same port and data.
    for (const text of ['k1', 'k2', 'k3']) expect((await run(['send', ...alicesNode(first.url), '--to', 'Bob', '--wait', '0', text])).code).not.toBe(1);
    await kill(first, 'SIGKILL');
    first = await relay(file('relay1'), first.port);
    // Bob may ack k3 only after the SIGKILL: `send --wait 0` returns once relay 1 has taken k3, and Bob's ack races
    // with the kill. Relay 1 is down then, so Bob's node acks over the first channel up, relay 2 (docs/architecture.md:
    // an ack goes out over the first available channel in the recipient's own order). Given relay 1 alone, Alice would
    // hear that ack only through her resend at ROUTINE's 30-minute ack deadline, so her flush collects both relays.
    // Nothing relay 1 accepted may be lost: Alice resends nothing within --wait, so what it took must come from its disk.
    const flushed = await run(['flush', ...alicesNode(first.url, second.url), '--wait', '30s']);
    expect(flushed.code, flushed.stderr).toBe(0);
    await until('Bob to get k1..k3', () => ['k1', 'k2', 'k3'].every((text) => bobListening.texts.includes(text)));

    // The first relay dies for good: Alice's node, given both relays, goes through the second.
    await kill(first, 'SIGKILL');
    const failover = await run(['send', ...alicesNode(first.url, second.url), '--to', 'Bob', 'through the second relay']);
    expect(failover.code, failover.stderr).toBe(0);
    await until('Bob to get the failover message', () => bobListening.texts.includes('through the second relay'));

    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([...bobListening.texts].sort(), 'each message handed to Bob exactly once').toEqual(['k1', 'k2', 'k3', 'live', 'sent while Bob was away', 'through the second relay'].sort());
    await kill(bobListening, 'SIGTERM');
    await kill(second, 'SIGTERM');
  });
});
