import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { relayForFile } from '../../relay/test/helpers/relay-process.js';
import { aliceAndBob, herald, run, until } from './process-kit.js';

/**
 * One side's `herald` runs with its clock hours off (libfaketime, Debian package faketime), against a real relay
 * process and a correct other side: the relay's time in WELCOME corrects it, every message arrives once, and the
 * warning names the offset.
 */
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const available = await access(LIBFAKETIME).then(() => true, () => false);
const workdir = await mkdtemp(join(tmpdir(), 'herald-wrong-clock-'));
const relay = relayForFile();
afterAll(() => rm(workdir, { recursive: true, force: true }));

/** The environment that shifts a process's wall clock by `offset` (monotonic clocks, which timers use, stay true). */
const shifted = (offset: string): NodeJS.ProcessEnv => ({ LD_PRELOAD: LIBFAKETIME, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1' });

const HOUR = 3_600_000;
/** Offsets, and what the warning must say of this machine's clock against the relay (the relay's offset is the opposite). */
const CASES = [
  { offset: '+1h', relayOffsetMs: -HOUR, says: /this machine's clock is 1 h \(([+-]\d+) ms\) ahead of relay ws:\/\/127\.0\.0\.1:\d+\// },
  { offset: '-7h', relayOffsetMs: 7 * HOUR, says: /this machine's clock is 7 h \(([+-]\d+) ms\) behind relay ws:\/\/127\.0\.0\.1:\d+\// },
  { offset: '+12h', relayOffsetMs: -12 * HOUR, says: /this machine's clock is 12 h \(([+-]\d+) ms\) ahead of relay ws:\/\/127\.0\.0\.1:\d+\// },
] as const;

/** The warning is there once, and the offset it names in ms is the real one (by default within the handshake's round trip). */
function expectWarning(output: string, says: RegExp, relayOffsetMs: number, toleranceMs = 2_000): void {
  const found = [...output.matchAll(new RegExp(says.source, 'g'))];
  expect(found, output).toHaveLength(1);
  expect(Math.abs(Number(found[0]![1]) - relayOffsetMs)).toBeLessThan(toleranceMs);
}

describe.skipIf(!available)('a herald whose clock is hours off', () => {
  it('faketime really moves node’s clock here', async () => {
    const shown = await herald(['--version'], { command: [process.execPath, '-e', 'console.log(Date.now())'], env: shifted('+12h') });
    expect(Number(shown.stdout.toString()) - Date.now()).toBeGreaterThan(11 * 3_600_000);
  });

  it('+30h on the sender: not corrected, and it says why', async () => {
    const dir = await mkdtemp(join(workdir, 'beyond-'));
    const { keys } = await aliceAndBob(dir);
    const sent = await herald(['send', '--key', keys.alice, '--to', join(dir, 'bob.card'), '--via', relay().url, '--data-dir', join(dir, 'alice-data'), '--wait', '1s', 'too far off'], { env: shifted('+30h') });
    expectWarning(sent.stderr, /this machine's clock is 30 h \(([+-]\d+) ms\) ahead of relay ws:\/\/127\.0\.0\.1:\d+\/: more than 24 h off: not corrected; set the system clock/, -30 * HOUR);
  });

  it('+1h on a sender with no relay (a folder): the listener refuses, and says whose clock is how far ahead', async () => {
    const dir = await mkdtemp(join(workdir, 'folder-'));
    const { alice, keys } = await aliceAndBob(dir);
    const spool = join(dir, 'spool');
    await mkdir(spool);
    const bobData = join(dir, 'bob-data');
    const added = await herald(['contacts', 'add', join(dir, 'alice.card'), '--data-dir', bobData]);
    expect(added.code, added.stderr).toBe(0);
    const listener = run(['listen', '--json', '--key', keys.bob, '--via', `dir:${spool}`, '--data-dir', bobData]);
    try {
      await herald(['send', '--key', keys.alice, '--to', join(dir, 'bob.card'), '--via', `dir:${spool}`, '--data-dir', join(dir, 'alice-data'), '--wait', '1s', 'ahead, uncorrected'], { env: shifted('+1h') });
      const says = new RegExp(`clock of contact ${alice.card.fingerprint} is 1 h \\(([+-]\\d+) ms\\) ahead of this machine's`);
      await until(() => says.test(listener.output()), 20_000, 'the warning at the listener').catch((error: unknown) => { throw new Error(listener.output(), { cause: error }); });
      // A message's creation time is a lower bound on its sender's clock (whole seconds, then the time in the folder).
      expectWarning(listener.output(), says, HOUR, 15_000);
      expect(listener.output()).not.toContain('"text":"ahead, uncorrected"');
    } finally {
      listener.child.kill('SIGTERM');
      await listener.exited;
    }
  });

  for (const { offset, says, relayOffsetMs } of CASES) {
    for (const side of ['sender', 'listener'] as const) {
      it(`${offset} on the ${side}: every message arrives once, and the warning names the offset`, async () => {
        const dir = await mkdtemp(join(workdir, `${side}${offset}-`));
        const { keys } = await aliceAndBob(dir);
        const [aliceData, bobData] = [join(dir, 'alice-data'), join(dir, 'bob-data')];
        const env = (who: 'sender' | 'listener'): NodeJS.ProcessEnv => (who === side ? shifted(offset) : {});
        const added = await herald(['contacts', 'add', join(dir, 'alice.card'), '--data-dir', bobData]);
        expect(added.code, added.stderr).toBe(0);
        const listener = run(['listen', '--json', '--key', keys.bob, '--via', relay().url, '--data-dir', bobData], env('listener'));
        const texts = ['first', 'second'];
        try {
          for (const text of texts) {
            const sent = await herald(['send', '--key', keys.alice, '--to', join(dir, 'bob.card'), '--via', relay().url, '--data-dir', aliceData, '--wait', '20s', `${text} at ${offset}`], { env: env('sender') });
            expect(sent.code, sent.stderr).toBe(0);
            if (side === 'sender') expectWarning(sent.stderr, says, relayOffsetMs);
          }
          await until(() => texts.every((text) => listener.output().includes(`${text} at ${offset}`)), 20_000, 'both messages at the listener');
          // A moment for a duplicate to show, if one were coming.
          await new Promise((resolve) => setTimeout(resolve, 500));
        } finally {
          listener.child.kill('SIGTERM');
          await listener.exited;
        }
        const lines = listener.output().split('\n').filter((line) => line.startsWith('{'));
        for (const text of texts) expect(lines.filter((line) => line.includes(`${text} at ${offset}`))).toHaveLength(1);
        if (side === 'listener') expectWarning(listener.output(), says, relayOffsetMs);
        else expect(listener.output()).not.toContain('clock');
      });
    }
  }
});
