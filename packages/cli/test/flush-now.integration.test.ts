import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliceAndBob, herald } from './process-kit.js';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Why it waits, and how to stop waiting (issue 20 §2): the outbox names the next try; flush --now makes it now. */
describe('herald outbox and flush --now', () => {
  let dir = '';
  const path = (name: string): string => join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-flush-now-'));
    await aliceAndBob(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('shows when an accepted message is tried again, and flush --now resends it instead of waiting for its ack deadline', async () => {
    const via = ['--via', `dir:${path('spool')}`];
    await mkdir(path('spool'));
    const sent = await herald(['send', '--key', path('alice.key'), '--to', path('bob.card'), ...via, '--data-dir', path('alice-data'), '--wait', '1s', 'are you there?']);
    expect(sent.code, sent.stderr).toBe(3);
    const shown = (await herald(['outbox', '--data-dir', path('alice-data')])).stdout.toString();
    expect(shown).toMatch(/next: \d{4}-\d\d-\d\dT[\d:.]+Z unless acknowledged before \(its ROUTINE ack deadline; herald flush --now resends at once\)/);
    const attempts = async (): Promise<number> => {
      const records = (await herald(['outbox', '--json', '--data-dir', path('alice-data')])).stdout.toString().trim().split('\n').map((line) => JSON.parse(line) as { attempts: unknown[]; next: string });
      return records[0]!.attempts.length;
    };
    expect(await attempts()).toBe(1);
    // Without --now, a flush within ROUTINE's 30-minute deadline leaves it alone.
    await herald(['flush', '--key', path('alice.key'), ...via, '--data-dir', path('alice-data'), '--wait', '2s']);
    expect(await attempts()).toBe(1);
    await delay(10_500);
    const now = await herald(['flush', '--now', '--key', path('alice.key'), ...via, '--data-dir', path('alice-data'), '--wait', '2s']);
    expect(now.code).toBe(3);
    expect(await attempts()).toBeGreaterThanOrEqual(2);
  });
});
