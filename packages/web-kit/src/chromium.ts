import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Where Debian (scripts/test-deps.sh installs `chromium`) and Ubuntu put the browser. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The system Chromium: `HERALD_CHROMIUM` if set, else the first installed candidate. Nothing is ever downloaded. */
export function findChromium(): string | undefined {
  const forced = process.env.HERALD_CHROMIUM;
  if (forced !== undefined && forced !== '') return existsSync(forced) ? forced : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

/** Why browser tests skip here, or undefined when Chromium is installed. */
export function chromiumMissing(): string | undefined {
  return findChromium() === undefined ? `no Chromium at ${process.env.HERALD_CHROMIUM || CANDIDATES.join(' or ')} (install Debian's chromium: scripts/test-deps.sh, or set HERALD_CHROMIUM)` : undefined;
}

/**
 * Headless system Chromium. --no-sandbox: tests run as root in containers, where
 * Chromium refuses its sandbox; the pages loaded are the tests' own, from loopback.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error(chromiumMissing());
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check'],
  });
}
