#!/usr/bin/env node
/**
 * Serves the field console: bundles the page (src/page/console.ts) for the
 * browser and serves it with static/ on one loopback port.
 *
 *   herald-web-console [--host 127.0.0.1] [--port 8080]
 *
 * Prints `web console on http://HOST:PORT/` once ready; stops on SIGINT or SIGTERM.
 * Open it with `?relay=ws://HOST:PORT` (repeatable) to name the relays.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleForBrowser, serveStatic } from '@herald/web-kit';

const { values } = parseArgs({ options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '8080' } }, strict: true });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port: expected 0 to 65535, got ${values.port}`);
  process.exit(2);
}

const root = await mkdtemp(join(tmpdir(), 'herald-web-console-'));
await cp(fileURLToPath(new URL('../static/', import.meta.url)), root, { recursive: true });
// The page's TypeScript source, next to this file's: bundled fresh at each start.
await bundleForBrowser({ entry: fileURLToPath(new URL('../src/page/console.ts', import.meta.url)), outfile: join(root, 'console.js') });
const server = await serveStatic({ root, host: values.host, port });
console.log(`web console on ${server.url}`);

const stop = async (): Promise<void> => {
  await server.close();
  await rm(root, { recursive: true, force: true });
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
