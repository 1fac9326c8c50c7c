import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const RELAY = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const workdir = await mkdtemp(join(tmpdir(), 'herald-relay-lazy-'));
afterAll(() => rm(workdir, { recursive: true, force: true }));

/** Starts a relay in a fresh process and reports which of the broker's and the SMTP endpoint's libraries it loaded. */
async function loadedBy(extra: string): Promise<{ aedes: boolean; mailparser: boolean }> {
  const script = `
    import { createRequire } from 'node:module';
    const { startRelay } = await import(${JSON.stringify(RELAY)});
    const relay = await startRelay({ listen: '127.0.0.1:0', dataDir: ${JSON.stringify(join(workdir, extra ? 'with-both' : 'plain'))}, logLevel: 'silent' ${extra} });
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ aedes: loaded.some((path) => path.includes('/aedes/')), mailparser: loaded.some((path) => path.includes('/mailparser/')) }));
    await relay.close();`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  return JSON.parse(stdout) as { aedes: boolean; mailparser: boolean };
}

describe('what a relay loads', () => {
  it('loads the MQTT broker and the SMTP endpoint only when they are asked for', async () => {
    expect(await loadedBy('')).toEqual({ aedes: false, mailparser: false });
    expect(await loadedBy(", mqtt: '127.0.0.1:0', smtp: '127.0.0.1:0'")).toEqual({ aedes: true, mailparser: true });
  });
});
