import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cardToFile, generateIdentity, writeSecretKeyFile } from '@herald/core';
import { aliceAndBob } from './process-kit.js';

/** `herald send` and `herald listen` as real processes over two real spool folders. */
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const workdir = await mkdtemp(join(tmpdir(), 'herald-send-listen-'));
afterAll(() => rm(workdir, { recursive: true, force: true }));

function herald(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Listener {
  child: ChildProcess;
  messages: Record<string, string>[];
  exited: Promise<number | null>;
}

function listen(args: string[]): Listener {
  const child = spawn(process.execPath, [bin, 'listen', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const listener: Listener = { child, messages: [], exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) listener.messages.push(JSON.parse(line) as Record<string, string>);
  });
  return listener;
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('herald send and herald listen over dir: channels', () => {
  it('fail over to the second folder when the first becomes unwritable, each message arriving once', async () => {
    const { alice, keys } = await aliceAndBob(workdir);
    const first = join(workdir, 'first');
    const second = join(workdir, 'second');
    const via = ['--via', `dir:${first}`, '--via', `dir:${second}`];
    for (const folder of [first, second]) await mkdir(folder);

    const added = await herald(['contacts', 'add', join(workdir, 'alice.card'), '--data-dir', join(workdir, 'bob-data')]);
    expect(added.code, added.stderr).toBe(0);
    const listener = listen(['--key', keys.bob, ...via, '--data-dir', join(workdir, 'bob-data')]);

    const send = (text: string): ReturnType<typeof herald> =>
      herald(['send', '--key', keys.alice, '--to', join(workdir, 'bob.card'), ...via, '--data-dir', join(workdir, 'alice-data'), '--wait', '20s', text]);

    for (const text of ['one', 'two', 'three']) {
      const result = await send(text);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^[0-9a-f]{32}\n$/);
    }
    await until(() => listener.messages.length === 3, 10_000);
    expect(listener.messages.map((message) => message.channel)).toEqual([`dir:${first}`, `dir:${first}`, `dir:${first}`]);

    // Cut the first channel: the folder is replaced by a plain file, so nothing can be written into it (even as root).
    await rm(first, { recursive: true, force: true });
    await writeFile(first, 'not a folder');

    for (const text of ['four', 'five', 'six']) {
      const result = await send(text);
      expect(result.code, result.stderr).toBe(0);
    }
    await until(() => listener.messages.length >= 6, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    listener.child.kill('SIGTERM');
    expect(await listener.exited).toBe(0);

    expect(listener.messages.map((message) => message.text)).toEqual(['one', 'two', 'three', 'four', 'five', 'six']);
    expect(listener.messages.slice(3).map((message) => message.channel)).toEqual([`dir:${second}`, `dir:${second}`, `dir:${second}`]);
    for (const message of listener.messages) {
      expect(message.sender).toBe(alice.card.fingerprint);
      expect(message.label).toBe('Alice');
      expect(message.precedence).toBe('ROUTINE');
    }

    const outbox = await herald(['outbox', '--data-dir', join(workdir, 'alice-data'), '--all', '--json']);
    const records = outbox.stdout.trim().split('\n').map((line) => JSON.parse(line) as { status: string; attempts: { channel: string; outcome: string }[] });
    expect(records.map((record) => record.status)).toEqual(Array(6).fill('delivered'));
    expect(records.at(-1)!.attempts.map((attempt) => `${attempt.channel === `dir:${first}` ? 'first' : 'second'}:${attempt.outcome}`)).toContain('second:accepted');
  }, 120_000);

  it('exits 3 when no ack comes back in time, and a later flush with the same data dir finishes the job', async () => {
    const alice = generateIdentity({ label: 'Alice' });
    const carol = generateIdentity({ label: 'Carol' });
    const folder = join(workdir, 'late');
    await mkdir(folder);
    const aliceKey = join(workdir, 'alice2.key');
    const carolKey = join(workdir, 'carol.key');
    await writeSecretKeyFile(aliceKey, alice);
    await writeSecretKeyFile(carolKey, carol);
    await writeFile(join(workdir, 'carol.card'), cardToFile(carol.card));
    await writeFile(join(workdir, 'alice2.card'), cardToFile(alice.card));
    const aliceData = join(workdir, 'alice2-data');

    // Once a card is stored in the data dir, --to takes the contact's label (or fingerprint).
    const added = await herald(['contacts', 'add', join(workdir, 'carol.card'), '--data-dir', aliceData]);
    expect(added.stdout).toContain(carol.card.fingerprint);
    const sent = await herald(['send', '--key', aliceKey, '--to', 'carol', '--via', `dir:${folder}`, '--data-dir', aliceData, '--wait', '1s', '--precedence', 'priority', 'are you there?']);
    expect(sent.code, sent.stderr).toBe(3);
    expect(sent.stderr).toContain('pending');
    const pending = await herald(['outbox', '--data-dir', aliceData]);
    expect(pending.stdout).toContain(sent.stdout.trim());
    expect(pending.stdout).toContain('ACCEPTED');

    const listener = listen(['--key', carolKey, '--via', `dir:${folder}`, '--data-dir', join(workdir, 'carol-data'), '--contact', join(workdir, 'alice2.card')]);
    const flushed = await herald(['flush', '--key', aliceKey, '--via', `dir:${folder}`, '--data-dir', aliceData, '--wait', '20s']);
    expect(flushed.code, flushed.stderr).toBe(0);
    listener.child.kill('SIGINT');
    expect(await listener.exited).toBe(0);
    expect(listener.messages.map((message) => [message.text, message.precedence])).toEqual([['are you there?', 'PRIORITY']]);
    expect((await herald(['outbox', '--data-dir', aliceData])).stdout).toContain('no pending messages');
  }, 60_000);
});
