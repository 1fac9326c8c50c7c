import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCard } from '@herald/core';
import { aliceAndBob, herald as heraldCli, run, until } from '../../cli/test/process-kit.js';
import { removeTempDirs, spawnRelay, type RelayProcess } from '../../relay/test/helpers/relay-process.js';
import { browserHarness, type BrowserHarness } from '@herald/web-kit';
import { PAGES, skipReason } from './skip.js';
import type { ExchangePage, PageMessage } from './pages/exchange.js';

declare const herald: ExchangePage;

/** A node in Chromium and `herald` CLI processes exchange messages through a real relay process, both ways. */
describe.skipIf(skipReason !== undefined)('a browser node and a CLI node through a real relay', () => {
  let relay: RelayProcess;
  let harness: BrowserHarness;
  let workdir: string;
  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'herald-web-exchange-'));
    [relay, harness] = await Promise.all([spawnRelay(), browserHarness(PAGES, ['exchange'])]);
  });
  afterAll(async () => {
    await harness?.close();
    await relay?.kill();
    await removeTempDirs();
    await rm(workdir, { recursive: true, force: true });
  });

  it('runs on libsodium.js with no Node globals, and messages cross both ways, each once', async () => {
    const page = await harness.open('exchange');
    expect(await page.evaluate(() => herald.environment())).toStrictEqual({ sodium: 'wasm', hasProcess: false, hasBuffer: false });

    // Bob is the CLI (key file, card file); "Web" is the page, whose card the CLI learns as a file.
    const { bob, keys } = await aliceAndBob(workdir);
    const bobCard = await import('node:fs/promises').then((fs) => fs.readFile(join(workdir, 'bob.card'), 'utf8'));
    const webCardText = await page.evaluate((url, card) => herald.start(url, card, 'Web'), relay.url, bobCard);
    const web = parseCard(webCardText);
    await writeFile(join(workdir, 'web.card'), webCardText);

    // Browser → CLI: `herald listen` prints it; the page sees the delivery acknowledgement come back.
    const listener = run(['listen', '--json', '--key', keys.bob, '--via', relay.url, '--data-dir', join(workdir, 'bob-data'), '--contact', join(workdir, 'web.card')]);
    try {
      const id = await page.evaluate(() => herald.send('Convoy left the depot at 06:10', 'IMMEDIATE'));
      await until(() => listener.output().includes('Convoy left the depot'), 30_000, 'the CLI to print the browser\'s message');
      const printed = listener.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, string>);
      expect(printed.map((message) => [message.text, message.sender, message.precedence])).toStrictEqual([['Convoy left the depot at 06:10', web.fingerprint, 'IMMEDIATE']]);
      await page.waitForFunction((sent) => herald.statuses()[sent]?.includes('delivered') === true, { timeout: 30_000 }, id);
      expect((await page.evaluate(() => herald.statuses()))[id]).toStrictEqual(['queued', 'accepted', 'delivered']);
    } finally {
      listener.child.kill('SIGTERM');
      await listener.exited;
    }

    // CLI → browser: `herald send` waits for the page's acknowledgement (exit 0 only once delivered).
    const sent = await heraldCli(['send', '--key', keys.bob, '--to', join(workdir, 'web.card'), '--via', relay.url, '--data-dir', join(workdir, 'bob-data'), '--precedence', 'flash', '--wait', '30s', 'Hold at checkpoint 3']);
    expect(sent.code, sent.stderr).toBe(0);
    await page.waitForFunction(() => herald.inbox().length > 0, { timeout: 30_000 });
    // A moment for a duplicate to show, were one to come.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await page.evaluate(() => herald.inbox())).toStrictEqual<PageMessage[]>([{ text: 'Hold at checkpoint 3', sender: bob.card.fingerprint, precedence: 'FLASH', envelopeVersion: expect.any(Number) as number }]);
    expect(page.errors).toStrictEqual([]);
  }, 120_000);
});
