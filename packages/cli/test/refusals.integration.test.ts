import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardToFile, generateIdentity, writeSecretKeyFile, type Identity } from '@herald/core';
import { herald, run, until } from './process-kit.js';

// A network that is down for good: a relay on a loopback port nothing listens on (port 1 needs root to listen).
const DOWN = 'ws://127.0.0.1:1/';

/** A refused envelope is named (from whom, why, what to do), and one refused at import is taken in once its cause is mended. */
describe('refused envelopes, told and mended', () => {
  let workdir = '';
  let alice: Identity;
  const path = (name: string): string => join(workdir, name);
  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'herald-refusals-'));
    alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    await writeSecretKeyFile(path('alice.key'), alice);
    await writeSecretKeyFile(path('bob.key'), bob);
    await writeFile(path('alice.card'), cardToFile(alice.card));
    await writeFile(path('bob.card'), cardToFile(bob.card));
  });
  afterAll(() => rm(workdir, { recursive: true, force: true }));

  it('herald listen names the sender it refuses, the code and what to do', async () => {
    const spool = path('spool');
    await mkdir(spool);
    const listener = run(['listen', '--key', path('bob.key'), '--via', `dir:${spool}`, '--data-dir', path('bob-listen')]);
    try {
      await until(() => listener.output().includes('listening as'), 20_000, 'the listener');
      const sent = await herald(['send', '--key', path('alice.key'), '--to', path('bob.card'), '--via', `dir:${spool}`, '--data-dir', path('alice-listen'), '--wait', '3s', 'who am I?']);
      expect(sent.code, sent.stderr).toBe(3);
      await until(() => listener.output().includes('refused from'), 20_000, `the refusal in: ${listener.output()}`);
      expect(listener.output()).toContain(`refused from ${alice.card.fingerprint} via dir:${spool}: UNKNOWN_SENDER (not among your contacts`);
    } finally {
      listener.child.kill('SIGTERM');
      await listener.exited;
    }
  });

  it('an envelope refused at bundle import (sender not yet a contact) is taken in by the next import once the card is added', async () => {
    const A = path('alice-data');
    const B = path('bob-data');
    const sent = await herald(['send', '--key', path('alice.key'), '--to', path('bob.card'), '--via', DOWN, '--via', 'bundle:', '--data-dir', A, '--wait', '2s', 'Water for three days']);
    expect(sent.code, sent.stderr).toBe(3);
    const bundle = await herald(['bundle', 'export', '--data-dir', A, '--to', path('bob.card')]);
    expect(bundle.code, bundle.stderr).toBe(0);
    await writeFile(path('to-bob.bundle'), bundle.stdout);

    const refused = await herald(['bundle', 'import', '--key', path('bob.key'), '--data-dir', B, path('to-bob.bundle')]);
    expect(refused.stderr).toContain('0 new messages');
    expect(refused.stderr).toContain('UNKNOWN_SENDER');

    expect((await herald(['contacts', 'add', path('alice.card'), '--data-dir', B])).code).toBe(0);
    const taken = await herald(['bundle', 'import', '--key', path('bob.key'), '--data-dir', B, path('to-bob.bundle')]);
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stderr).toContain('1 new message');
    const again = await herald(['bundle', 'import', '--key', path('bob.key'), '--data-dir', B, path('to-bob.bundle')]);
    expect(again.stderr).toContain('1 already taken in');

    // What the import took in is read without any channel, once.
    const read = await herald(['inbox', '--key', path('bob.key'), '--data-dir', B, '--json']);
    expect(read.code, read.stderr).toBe(0);
    const lines = read.stdout.toString().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ sender: alice.card.fingerprint, label: 'Alice', text: 'Water for three days', channel: 'bundle:' });
    const empty = await herald(['inbox', '--key', path('bob.key'), '--data-dir', B]);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout.toString()).toBe('');
    expect(empty.stderr).toContain('the inbox is empty');
  });
});
