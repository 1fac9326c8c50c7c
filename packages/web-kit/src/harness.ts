import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { bundleForBrowser } from './bundle.js';
import { launchChromium } from './chromium.js';
import { serveStatic, type StaticServer } from './static-server.js';

export interface BrowserHarness {
  readonly browser: Browser;
  readonly server: StaticServer;
  /** A new tab on `NAME.html` of the served folder, with its console errors gathered. */
  open(name: string): Promise<Page & { errors: string[] }>;
  close(): Promise<void>;
}

/** The page around a test script: it says `ready` in #state once the script (and so libsodium) has loaded. */
function pageHtml(name: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Herald test page: ${name}</title></head>
<body>
<p id="state">loading</p>
<script type="module">
  import './${name}.js';
  document.getElementById('state').textContent = 'ready';
</script>
</body>
</html>
`;
}

/**
 * Bundles PAGES/NAME.ts for the browser (one bundle per name), serves it in a page of its own from a temporary
 * folder on loopback, and starts headless Chromium. Pages load over http://127.0.0.1 so they have an origin
 * (IndexedDB needs one).
 */
export async function browserHarness(pages: string, names: readonly string[]): Promise<BrowserHarness> {
  const root = await mkdtemp(join(tmpdir(), 'herald-pages-'));
  for (const name of names) {
    await bundleForBrowser({ entry: join(pages, `${name}.ts`), outfile: join(root, `${name}.js`), minify: false });
    await writeFile(join(root, `${name}.html`), pageHtml(name));
  }
  const server = await serveStatic({ root });
  const browser = await launchChromium();
  return {
    browser,
    server,
    async open(name) {
      const page = Object.assign(await browser.newPage(), { errors: [] as string[] });
      page.on('pageerror', (error) => page.errors.push(String(error)));
      // Chromium logs each refused WebSocket connection itself: a relay being down is a test's scenario, not a page error.
      page.on('console', (message) => void (message.type() === 'error' && !/^WebSocket connection to .* failed/.test(message.text()) && page.errors.push(message.text())));
      await page.goto(`${server.url}${name}.html`);
      // A string: the test files are type-checked without the DOM's types.
      await page.waitForFunction("document.getElementById('state')?.textContent === 'ready'", { timeout: 30_000 });
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
