import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startRelay } from '../../relay-demo/src/relay-process.js';

const run = promisify(execFile);
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const workdir = await mkdtemp(join(tmpdir(), 'herald-readme-test-'));
afterAll(() => rm(workdir, { recursive: true, force: true }));

/** Every TypeScript block of the README, in order. */
async function readmeBlocks(): Promise<string[]> {
  const readme = await readFile(here('../../../README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

describe("the README's code blocks", () => {
  it('are the example files, word for word', async () => {
    const blocks = await readmeBlocks();
    expect(blocks).toEqual([await readFile(here('../src/seal-open.ts'), 'utf8'), await readFile(here('../src/two-nodes.ts'), 'utf8'), await readFile(here('../../web-console/src/page/page-node.ts'), 'utf8')]);
  });

  it('seal and open: the outsider sees the outline, the recipient the text', async () => {
    const { stdout } = await run(process.execPath, [here('../dist/seal-open.js')]);
    expect(stdout).toContain('FLASH Evacuate sector 4 by 18:00.');
    expect(stdout).not.toMatch(/outline[^\n]*Evacuate/);
  });

  it('two nodes: the message reaches the field over the example channels (a real relay running), and its ack settles the send as delivered', async () => {
    const relay = await startRelay(join(workdir, 'relay-data'));
    try {
      const { stdout } = await run(process.execPath, [here('../dist/two-nodes.js')], { env: { ...process.env, HERALD_RELAY: relay.url }, timeout: 60_000 });
      expect(stdout).toContain('field: Alice (ops room) IMMEDIATE Convoy leaves at 06:00');
      // Each status change as it happens ('accepted' may be overtaken by the ack itself), ending in delivered.
      expect(stdout).toContain('ops: delivered');
      expect(stdout).toContain('ops: settled as delivered');
    } finally {
      await relay.stop();
    }
  });
});
