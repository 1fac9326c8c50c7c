import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cardToFile, epochOf, epochTagFor, generateIdentity, toHex, writeSecretKeyFile } from '@herald/core';
import { startMosquitto } from '@herald/transport-mqtt/testing';
import { tagClientId } from '@herald/transport-mqtt';
import { herald, run, until } from './process-kit.js';

/**
 * A version-2 recipient through the CLI (issue 22 §4): `herald send` addresses the spool file to Bob's current
 * epoch tag, never his static one, and `herald listen --epoch-retain` collects it; a window wider than 64 of his
 * epochs is a usage error.
 */
const workdir = await mkdtemp(join(tmpdir(), 'herald-epoch-cli-'));
afterAll(() => rm(workdir, { recursive: true, force: true }));

describe('send and listen with an epoch card', () => {
  it('the spool file carries the epoch tag, and listen collects it', async () => {
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob', epochSeconds: 86_400 });
    const path = (name: string): string => join(workdir, name);
    for (const [name, who] of [['alice', alice], ['bob', bob]] as const) {
      await writeSecretKeyFile(path(`${name}.key`), who);
      await writeFile(path(`${name}.card`), cardToFile(who.card));
    }
    const spool = path('spool');
    await mkdir(spool);
    const via = ['--via', `dir:${spool}`];
    const before = Date.now();
    const sent = await herald(['send', '--key', path('alice.key'), '--to', path('bob.card'), ...via, '--data-dir', path('alice-data'), '--wait', '0', 'across epochs']);
    expect(sent.code, sent.stderr).toBe(3); // accepted by the folder, no ack yet: Bob is not listening
    const after = Date.now();
    const epochTags = new Set([before, after].map((at) => toHex(epochTagFor(bob.card, epochOf(at, 86_400)))));
    const files = (await readdir(spool)).filter((name) => name.endsWith('.env'));
    expect(files).toHaveLength(1);
    const tag = files[0]!.split('.')[0]!;
    expect(epochTags.has(tag), 'the file is addressed to the epoch tag of the send').toBe(true);
    expect(tag, 'never the static tag').not.toBe(toHex(bob.card.routingTag));

    const added = await herald(['contacts', 'add', path('alice.card'), '--data-dir', path('bob-data')]);
    expect(added.code, added.stderr).toBe(0);
    const listener = run(['listen', '--json', '--key', path('bob.key'), ...via, '--data-dir', path('bob-data'), '--epoch-retain', '2d']);
    try {
      await until(() => listener.output().includes('across epochs'), 20_000, 'the message at Bob');
    } finally {
      listener.child.kill('SIGTERM');
      await listener.exited;
    }

    const tooWide = await herald(['listen', '--key', path('bob.key'), ...via, '--data-dir', path('bob-data'), '--epoch-retain', '90d']);
    expect(tooWide.code).toBe(2);
    expect(tooWide.stderr).toContain("--epoch-retain 90d spans more than 64 of this card's 1d epochs; give --epoch-retain 62d or less");
  });
});

describe('listen over mqtt:// with an epoch card', () => {
  it('subscribes each epoch topic from a client of its own (sessionPerTag), and the message arrives', async () => {
    const broker = await startMosquitto({ extraConfig: ['log_type subscribe'] });
    try {
      const alice = generateIdentity({ label: 'Alice' });
      const bob = generateIdentity({ label: 'Bob', epochSeconds: 86_400 });
      const path = (name: string): string => join(workdir, `mqtt-${name}`);
      for (const [name, who] of [['alice', alice], ['bob', bob]] as const) {
        await writeSecretKeyFile(path(`${name}.key`), who);
        await writeFile(path(`${name}.card`), cardToFile(who.card));
      }
      const via = ['--via', broker.url];
      const listener = run(['listen', '--json', '--key', path('bob.key'), ...via, '--data-dir', path('bob-data'), '--contact', path('alice.card'), '--epoch-retain', '1d']);
      try {
        await until(() => listener.output().includes('listening as'), 30_000, 'the listener to start');
        const current = toHex(epochTagFor(bob.card, epochOf(Date.now(), 86_400)));
        const subscribers = [...broker.logs().matchAll(new RegExp(`(\\S+) 1 herald/v1/${current}`, 'g'))].map((match) => match[1]!);
        expect(subscribers, "the current epoch's topic, by its own client").toEqual([tagClientId(bob, current)]);
        const send = run(['send', '--key', path('alice.key'), '--to', path('bob.card'), ...via, '--data-dir', path('alice-data'), '--wait', '20s', 'by epoch topic']);
        expect(await send.exited, send.output()).toBe(0);
        await until(() => listener.output().includes('by epoch topic'), 10_000, 'the message at Bob');
      } finally {
        listener.child.kill('SIGTERM');
        await listener.exited;
      }
    } finally {
      await broker.close();
    }
  });
});
