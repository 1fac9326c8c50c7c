import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserHarness, type BrowserHarness } from '@herald/web-kit';
import { aliceAndBob, herald as heraldCli, run, until } from '../../cli/test/process-kit.js';
import { removeTempDirs, spawnRelay, type RelayProcess } from '../../relay/test/helpers/relay-process.js';
import type { DurablePage } from './pages/durable.js';
import { PAGES, skipReason } from './skip.js';

declare const herald: DurablePage;

interface Printed {
  readonly text: string;
  readonly envelopeVersion: number;
  readonly postQuantum: boolean;
}

/** What `herald listen --json` printed so far. */
function printedBy(listener: ReturnType<typeof run>): Printed[] {
  return listener
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Printed);
}

const PASSPHRASE = 'correct horse battery staple';

/** A page whose node keeps everything in IndexedDB: reloaded mid-send, each message still arrives once. */
describe.skipIf(skipReason !== undefined)('a browser node on IndexedDB across page reloads', () => {
  let relay: RelayProcess;
  let harness: BrowserHarness;
  let workdir: string;
  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'herald-web-durable-'));
    [relay, harness] = await Promise.all([spawnRelay(), browserHarness(PAGES, ['durable'])]);
  });
  afterAll(async () => {
    await harness?.close();
    await relay?.kill();
    await removeTempDirs();
    await rm(workdir, { recursive: true, force: true });
  });

  it('delivers what was accepted before a reload exactly once, keeps its identity, hands an acked message out only once, and exchanges X-Wing version 2 both ways', async () => {
    const { keys } = await aliceAndBob(workdir);
    const bobCard = await readFile(join(workdir, 'bob.card'), 'utf8');
    const page = await harness.open('durable');
    const boot = (): Promise<string> => page.evaluate((url, passphrase, card) => herald.boot(url, passphrase, card), relay.url, PASSPHRASE, bobCard);
    const webCard = await boot();
    await writeFile(join(workdir, 'web.card'), webCard);
    const listener = run(['listen', '--json', '--key', keys.bob, '--via', relay.url, '--data-dir', join(workdir, 'bob-data'), '--contact', join(workdir, 'web.card')]);
    const printed = (): string[] => printedBy(listener).map((message) => message.text);
    try {
      const texts = Array.from({ length: 5 }, (_, n) => `position report ${n + 1}`);
      const ids: string[] = [];
      // Each send resolves once the message is in IndexedDB. The first two go while the relay is up (in flight at the
      // reload, or already through); the last three while it is down, so only the stored outbox can still carry them.
      for (const text of texts.slice(0, 2)) ids.push(await page.evaluate((body) => herald.send(body, 'PRIORITY'), text));
      await relay.kill();
      for (const text of texts.slice(2)) ids.push(await page.evaluate((body) => herald.send(body, 'PRIORITY'), text));
      await page.reload();
      await page.waitForFunction("document.getElementById('state')?.textContent === 'ready'");
      expect(await boot()).toBe(webCard);
      relay = await spawnRelay({ dataDir: relay.dataDir, port: relay.port });

      await until(() => texts.every((text) => printed().includes(text)), 60_000, 'every message to reach the CLI');
      await page.waitForFunction(
        async (sent: string[]) => {
          const outbox = await herald.outbox();
          return sent.every((id) => outbox.some((record) => record.id === id && record.status === 'delivered'));
        },
        { timeout: 60_000, polling: 200 },
        ids,
      );
      // A moment for a duplicate to show, were one to come.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(printed().sort()).toStrictEqual([...texts].sort());
    } finally {
      listener.child.kill('SIGTERM');
      await listener.exited;
    }

    const sent = await heraldCli(['send', '--key', keys.bob, '--to', join(workdir, 'web.card'), '--via', relay.url, '--data-dir', join(workdir, 'bob-data'), '--wait', '30s', 'Return to base']);
    expect(sent.code, sent.stderr).toBe(0);
    await page.waitForFunction(() => herald.inbox().length > 0, { timeout: 30_000 });
    // The page offered its prekeys with every message, and they are in IndexedDB: the CLI sealed to its X-Wing prekey,
    // which the page opened with libsodium.js and noble's ML-KEM.
    expect(await page.evaluate(() => herald.inbox())).toStrictEqual([{ text: 'Return to base', envelopeVersion: 2, postQuantum: true }]);
    await page.reload();
    await page.waitForFunction("document.getElementById('state')?.textContent === 'ready'");
    await boot();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await page.evaluate(() => herald.inbox())).toStrictEqual([]);

    // The CLI's acks carried its prekeys: the page now seals version 2 to its X-Wing prekey.
    const again = run(['listen', '--json', '--key', keys.bob, '--via', relay.url, '--data-dir', join(workdir, 'bob-data'), '--contact', join(workdir, 'web.card')]);
    try {
      await page.evaluate(() => herald.send('Returning to base', 'ROUTINE'));
      await until(() => printedBy(again).length > 0, 30_000, 'the CLI to print the last message');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(printedBy(again).map(({ text, envelopeVersion, postQuantum }) => ({ text, envelopeVersion, postQuantum }))).toStrictEqual([{ text: 'Returning to base', envelopeVersion: 2, postQuantum: true }]);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }

    // Secrets at rest: only in IndexedDB, only under the passphrase.
    expect(await page.evaluate(() => herald.atRest())).toStrictEqual({ localStorageItems: 0, keyFileProtected: true, seedInDatabase: false });
    expect(await page.evaluate(() => herald.unlockError('wrong passphrase'))).toBe('BAD_PASSPHRASE');
    expect(page.errors).toStrictEqual([]);
  }, 180_000);
});
