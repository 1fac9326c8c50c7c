import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KNOCK_FILE, loadKnock } from '../src/decoy/knock.js';
import { removeTempDirs, tempDir } from './helpers/relay-process.js';

afterAll(removeTempDirs);

describe('the relay\'s knock', () => {
  it('makes a 32-byte secret kept 0600 on first start, and derives the same keyed path from it on the next', async () => {
    const dir = await tempDir('herald-knock-');
    const first = await loadKnock(join(dir, 'data'));
    expect((await stat(join(dir, 'data', KNOCK_FILE))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dir, 'data', KNOCK_FILE), 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(first.path).toMatch(/^\/[A-Za-z0-9_-]{43}$/);
    expect((await loadKnock(join(dir, 'data'))).path).toBe(first.path);
    expect((await loadKnock(join(dir, 'other'))).path).not.toBe(first.path);
  });

  it('matches the keyed path only (a query is ignored), never a prefix, an extension or another path', async () => {
    const knock = await loadKnock(await tempDir('herald-knock-'));
    expect(knock.matches(knock.path)).toBe(true);
    expect(knock.matches(`${knock.path}?v=1`)).toBe(true);
    for (const target of ['/', '', undefined, knock.path.slice(0, -1), `${knock.path}x`, `${knock.path}/`, knock.path.slice(1), `/x${knock.path}`]) expect(knock.matches(target), String(target)).toBe(false);
  });

  it('refuses a damaged secret file with a precise message, rather than make a new URL behind the members\' backs', async () => {
    const dir = await tempDir('herald-knock-');
    await writeFile(join(dir, KNOCK_FILE), 'not hex\n', { mode: 0o600 });
    await expect(loadKnock(dir)).rejects.toThrow(`${join(dir, KNOCK_FILE)}: expected 64 hex digits (the relay's knock secret)`);
  });
});
