import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium } from '@herald/web-kit';
import { countColor } from '../../../packages/drill/test/chromium.js';
import { aliceAndBob, herald as heraldCli, run, until } from '../../../packages/cli/test/process-kit.js';
import { removeTempDirs, spawnRelay, type RelayProcess } from '../../../packages/relay/test/helpers/relay-process.js';

const skipReason = chromiumMissing();
if (skipReason) console.warn(`web console test skipped: ${skipReason}`);
const SERVE = fileURLToPath(new URL('../dist/serve.js', import.meta.url));
const WIDTH = 1200;
const HEIGHT = 1000;

/** The console's own server command as a real process; resolves with its URL. */
function serveConsole(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [SERVE, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the console server did not start: ${output}`)), 60_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /web console on (http:\/\/\S+)\n/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({ url: match[1]!, stop: async () => void (child.kill('SIGTERM'), await exited) });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
  });
}

/** The field console in Chromium against a real relay and the herald CLI on the other end. */
describe.skipIf(skipReason !== undefined)('examples/web-console', () => {
  let relay: RelayProcess;
  let server: Awaited<ReturnType<typeof serveConsole>>;
  let browser: Browser;
  let workdir: string;
  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'herald-web-console-'));
    [relay, server, browser] = await Promise.all([spawnRelay(), serveConsole(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await relay?.kill();
    await removeTempDirs();
    await rm(workdir, { recursive: true, force: true });
  });

  const text = (page: Page, selector: string): Promise<string> => page.$eval(selector, (element) => element.textContent ?? '');
  const outboxStatus = (page: Page, message: string): Promise<unknown> =>
    page.waitForFunction((body: string) => Array.from(document.querySelectorAll<HTMLTableRowElement>('#outbox tbody tr')).find((row) => row.cells[0]?.textContent === body)?.dataset.status === 'delivered', { timeout: 60_000, polling: 200 }, message);

  it('unlocks, adds a contact from a QR photo, sends and receives, shows relay health through a relay restart, and renders', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.setViewport({ width: WIDTH, height: HEIGHT });
    await page.goto(`${server.url}?relay=${encodeURIComponent(relay.url)}`);
    await page.waitForSelector('body[data-ready="true"]');

    await page.type('#passphrase', 'field passphrase 7');
    await page.click('#unlock');
    await page.waitForFunction(() => document.getElementById('node-status')?.textContent === 'running', { timeout: 60_000 });
    const webCard = await page.$eval('#my-card', (element) => (element as HTMLTextAreaElement).value);
    await writeFile(join(workdir, 'web.card'), webCard);

    const { bob, keys } = await aliceAndBob(workdir);
    // A card that does not parse is refused under the form; Bob's card then comes from a photo of its QR code.
    await page.type('#contact-card', 'herald-card:not-a-card');
    await page.click('#add-contact');
    await page.waitForFunction(() => (document.getElementById('contact-error')?.textContent ?? '').includes('contact card'));
    const bobCardText = (await readFile(join(workdir, 'bob.card'), 'utf8')).split('\n').find((line) => line.startsWith('herald-card:'))!;
    await writeFile(join(workdir, 'bob-card.png'), await QRCode.toBuffer(bobCardText, { type: 'png', scale: 6 }));
    const picker = await page.$('input#contact-qr');
    await picker!.uploadFile(join(workdir, 'bob-card.png'));
    await page.waitForFunction(() => document.querySelectorAll('#contacts li').length === 1, { timeout: 30_000 });
    expect(await page.$eval('#my-card-qr svg', (svg) => svg.querySelectorAll('path').length)).toBeGreaterThan(0);
    expect(await text(page, '#contacts li')).toBe(`Bob [${bob.card.fingerprint}]`);
    await page.waitForSelector('#relays td[data-health="up"]', { timeout: 30_000 });

    const listener = run(['listen', '--json', '--key', keys.bob, '--via', relay.url, '--data-dir', join(workdir, 'bob-data'), '--contact', join(workdir, 'web.card')]);
    try {
      const sendFromConsole = async (message: string): Promise<void> => {
        await page.type('#message', message);
        await page.select('#precedence', 'FLASH');
        await page.click('#send');
        await outboxStatus(page, message);
        await until(() => listener.output().includes(message), 30_000, `the CLI to print "${message}"`);
      };
      await sendFromConsole('Bridge at grid 4471 is out');

      // The relay goes away: its row turns down; back on the same port, the page reconnects by itself.
      await relay.kill();
      await page.waitForSelector('#relays td[data-health="down"]', { timeout: 30_000 });
      relay = await spawnRelay({ dataDir: relay.dataDir, port: relay.port });
      await page.waitForSelector('#relays td[data-health="up"]', { timeout: 60_000 });
      await sendFromConsole('Detour via route 9');
    } finally {
      listener.child.kill('SIGTERM');
      await listener.exited;
    }

    const sent = await heraldCli(['send', '--key', keys.bob, '--to', join(workdir, 'web.card'), '--via', relay.url, '--data-dir', join(workdir, 'bob-data'), '--precedence', 'immediate', '--wait', '30s', 'Copy, hold position']);
    expect(sent.code, sent.stderr).toBe(0);
    await page.waitForFunction(() => document.querySelector('#inbox li')?.textContent?.includes('Copy, hold position') === true, { timeout: 30_000 });
    expect(await text(page, '#inbox li strong')).toMatch(/^IMMEDIATE from Bob at /);

    // The screenshot: the page drawn, not blank, with its header, running badge and healthy relay in view.
    const shot = PNG.sync.read(Buffer.from(await page.screenshot({ type: 'png' })));
    expect([shot.width, shot.height]).toStrictEqual([WIDTH, HEIGHT]);
    const background = countColor(shot, '#f4f5f2');
    expect(background).toBeLessThan(WIDTH * HEIGHT * 0.9);
    expect(countColor(shot, '#ffffff')).toBeGreaterThan(WIDTH * HEIGHT * 0.1);
    expect(countColor(shot, '#24433a', 0, 60)).toBeGreaterThan(WIDTH * 30);
    expect(countColor(shot, '#2e9d5b', 0, 60)).toBeGreaterThan(100);
    expect(countColor(shot, '#1f7a45')).toBeGreaterThan(20);
    expect(errors).toStrictEqual([]);
  }, 240_000);
});
