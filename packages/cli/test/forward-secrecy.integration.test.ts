import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aliceAndBob, herald, run, until } from './process-kit.js';

/** `herald send --forward-secrecy`, and how `listen --json` and `outbox` report envelope versions, as real processes over a spool folder. */
const workdir = await mkdtemp(join(tmpdir(), 'herald-forward-secrecy-'));
afterAll(() => rm(workdir, { recursive: true, force: true }));

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('herald send --forward-secrecy', () => {
  it('holds a required message until prekeys come, reports v1 for the first preferred one and v2 after', async () => {
    const { keys } = await aliceAndBob(workdir);
    const via = ['--via', `dir:${join(workdir, 'spool')}`];
    await mkdir(join(workdir, 'spool'), { recursive: true });
    const aliceData = ['--data-dir', join(workdir, 'alice-data')];
    const bobData = ['--data-dir', join(workdir, 'bob-data')];
    expect((await herald(['contacts', 'add', join(workdir, 'alice.card'), ...bobData])).code).toBe(0);
    const listener = run(['listen', '--json', '--key', keys.bob, ...via, ...bobData]);
    try {
      const send = (text: string, extra: string[] = []) => herald(['send', '--key', keys.alice, '--to', join(workdir, 'bob.card'), ...via, ...aliceData, ...extra, text]);

      const bogus = await send('x', ['--forward-secrecy', 'sometimes']);
      expect(bogus.code).not.toBe(0);
      expect(bogus.stderr).toMatch(/--forward-secrecy must be one of required, preferred, off/);

      // No prekeys of Bob yet: never sealed v1, it waits (exit 3: still pending).
      const held = await send('must be forward secret', ['--forward-secrecy', 'required', '--wait', '1s']);
      expect(held.code, held.stderr).toBe(3);
      const heldId = held.stdout.toString().trim();
      const pending = jsonLines((await herald(['outbox', '--json', ...aliceData])).stdout.toString());
      expect(pending.find((record) => record.id === heldId)).toMatchObject({ status: 'awaiting-prekeys', envelopeVersion: null, prekey: null });

      // Preferred: sealed v1 (and reported so); Bob's ack brings his prekeys, which also seal the held message as v2
      // (durably, before the ack is applied); a flush then carries it if this process ended before it went out.
      const first = await send('first', ['--wait', '20s']);
      expect(first.code, first.stderr).toBe(0);
      const flushed = await herald(['flush', '--key', keys.alice, ...via, ...aliceData, '--wait', '30s']);
      expect(flushed.code, flushed.stderr).toBe(0);
      await until(() => jsonLines(listener.output()).length >= 2, 20_000, 'both messages at Bob');
      const second = await send('second', ['--wait', '20s']);
      expect(second.code, second.stderr).toBe(0);
      await until(() => jsonLines(listener.output()).length >= 3, 20_000, 'the third message at Bob');

      const byText = new Map(jsonLines(listener.output()).map((message) => [message.text, message]));
      expect(byText.get('first')).toMatchObject({ envelopeVersion: 1, postQuantum: false, prekey: null });
      expect(byText.get('must be forward secret')).toMatchObject({ envelopeVersion: 2, postQuantum: true, prekey: 'one-time' });
      expect(byText.get('second')).toMatchObject({ envelopeVersion: 2, postQuantum: true, prekey: 'one-time' });

      const outbox = jsonLines((await herald(['outbox', '--json', '--all', ...aliceData])).stdout.toString());
      const record = (id: string) => outbox.find((item) => item.id === id);
      expect(record(first.stdout.toString().trim())).toMatchObject({ envelopeVersion: 1, prekey: null });
      expect(record(second.stdout.toString().trim())).toMatchObject({ status: 'delivered', envelopeVersion: 2, prekey: 'one-time', postQuantum: true });
      expect(record(heldId)).toMatchObject({ envelopeVersion: 2, prekey: 'one-time' });
      const text = (await herald(['outbox', '--all', ...aliceData])).stdout.toString();
      expect(text).toMatch(new RegExp(`${second.stdout.toString().trim()}  DELIVERED  ROUTINE  \\d+ bytes, v2 one-time post-quantum`));
    } finally {
      listener.child.kill('SIGTERM');
      await listener.exited;
    }
  }, 120_000);
});
