import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cardToText, generateIdentity } from '@herald/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const WORKSPACE = fileURLToPath(new URL('../../..', import.meta.url));
const DOCS = join(WORKSPACE, 'docs');

/** `pnpm herald …` as the README has people type it, from a folder other than the workspace root. */
describe('pnpm herald from another folder of the workspace', () => {
  let dir = '';
  beforeAll(async () => {
    // Inside the workspace, so that the path from docs/ means another file when read from the root
    // (from /tmp, the root's extra `..` would stop at / and hide the difference).
    dir = await mkdtemp(join(WORKSPACE, 'node_modules', '.herald-install-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves file arguments from the folder the user is in, not from the workspace root', async () => {
    const bob = generateIdentity({ label: 'Bob' });
    const cardPath = join(dir, 'bob.card');
    await writeFile(cardPath, `${cardToText(bob.card)}\n`);
    const fromDocs = relative(DOCS, cardPath);
    expect(fromDocs.startsWith('..')).toBe(true);
    const { stdout } = await run('pnpm', ['--silent', 'herald', 'fingerprint', fromDocs], { cwd: DOCS });
    expect(stdout.trim()).toBe(bob.card.fingerprint);
  });
});
