import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MIN_FREE_BYTES } from '@herald/store-lmdb';
import { aliceAndBob, run, until } from './process-kit.js';

/**
 * Alice's data dir on a 20 MiB tmpfs (root and mount needed; skipped otherwise), filled past the store's
 * minFreeBytes: `herald send` refuses the new message with one line `error STORE_FULL: …` and exit 1, while the
 * messages already in her outbox still go out and are acknowledged; once space is freed, sending works again.
 */
let workdir: string;
let mountPoint: string | undefined;
beforeAll(async () => {
  workdir = await mkdtemp(join(tmpdir(), 'herald-cli-full-'));
  const candidate = join(workdir, 'alice-data');
  await mkdir(candidate);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m,mode=0700', 'tmpfs', candidate], { stdio: 'ignore' });
    mountPoint = candidate;
  } catch {
    // Not root, or no mount in this container: the test says so and skips.
  }
});
afterAll(async () => {
  if (mountPoint) execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
  await rm(workdir, { recursive: true, force: true });
});

async function herald(args: string[]): Promise<{ code: number | null; output: string }> {
  const started = run(args);
  const code = await started.exited;
  return { code, output: started.output() };
}

describe('herald send on a full data dir (20 MiB tmpfs; needs root and mount)', () => {
  it('refuses a new message with STORE_FULL (exit 1, one line) and still delivers what the outbox holds', async (context) => {
    if (!mountPoint) return context.skip('cannot mount a tmpfs here (needs root)');
    const { keys } = await aliceAndBob(workdir);
    const via = ['--via', `dir:${join(workdir, 'spool')}`];
    await mkdir(join(workdir, 'spool'), { recursive: true });
    const aliceFlags = ['--key', keys.alice, ...via, '--data-dir', mountPoint];
    const send = (text: string, wait: string): ReturnType<typeof herald> => herald(['send', ...aliceFlags, '--to', join(workdir, 'bob.card'), '--wait', wait, text]);

    // Two messages in the outbox, not yet delivered (nobody listens): exit 3, pending.
    const queued: string[] = [];
    for (const text of ['one', 'two']) {
      const result = await send(text, '0');
      expect(result.code, result.output).toBe(3);
      queued.push(result.output.split('\n')[0]!);
    }

    // The disk fills (another program, say): less than minFreeBytes left.
    const filler = join(mountPoint, 'filler');
    await writeFile(filler, new Uint8Array(20 * 1024 * 1024 - DEFAULT_MIN_FREE_BYTES + 1024 * 1024));
    const refused = await send('three', '0');
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/^error STORE_FULL: the store's disk is full[^\n]*\n$/);

    // What the outbox holds still goes out, and the acks still land: flush delivers both.
    expect((await herald(['contacts', 'add', join(workdir, 'alice.card'), '--data-dir', join(workdir, 'bob-data')])).code).toBe(0);
    const listener = run(['listen', '--json', '--key', keys.bob, ...via, '--data-dir', join(workdir, 'bob-data')]);
    try {
      const flushed = await herald(['flush', ...aliceFlags, '--wait', '20s']);
      expect(flushed.code, flushed.output).toBe(0);
      const outbox = await herald(['outbox', '--data-dir', mountPoint]);
      expect(outbox.output).toMatch(/no pending messages/);

      // Space is freed: sending works again, nothing restarted.
      await rm(filler);
      const resumed = await send('four', '20s');
      expect(resumed.code, resumed.output).toBe(0);
      await until(() => (listener.output().match(/"id"/g) ?? []).length >= 3, 10_000, 'three messages at bob');
      const texts = listener
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { text: string }).text);
      expect(texts.sort()).toEqual(['four', 'one', 'two']);
    } finally {
      listener.child.kill('SIGTERM');
      await listener.exited;
    }
  }, 90_000);
});
