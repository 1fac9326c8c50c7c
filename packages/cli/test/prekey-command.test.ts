import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cardToFile, fromBase64Url, generateIdentity, toBase64Url, writeSecretKeyFile } from '@herald/core';
import { run } from './process-kit.js';

const dir = await mkdtemp(join(tmpdir(), 'herald-prekey-cli-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const at = (name: string): string => join(dir, name);

async function herald(...args: string[]): Promise<{ code: number | null; output: string }> {
  const process = run(args);
  const code = await process.exited;
  return { code, output: process.output() };
}

describe('herald prekey', () => {
  it('makes prekeys, lists and exports them, and checks a bundle against its owner card', async () => {
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    await writeSecretKeyFile(at('alice.key'), alice);
    await writeFile(at('alice.card'), cardToFile(alice.card));
    await writeFile(at('bob.card'), cardToFile(bob.card));
    const data = at('data');

    const medium = await herald('prekey', 'new', '--key', at('alice.key'), '--data-dir', data);
    expect(medium.code).toBe(0);
    expect(medium.output).toMatch(/^[0-9a-f]{16} {2}xwing {3}medium/);
    const oneTime = await herald('prekey', 'new', '--key', at('alice.key'), '--data-dir', data, '--kind', 'x25519', '--one-time', '2', '--seal-for', '10m', '--open-for', '1h');
    expect(oneTime.output.trim().split('\n')).toHaveLength(2);
    const list = await herald('prekey', 'list', '--key', at('alice.key'), '--data-dir', data);
    expect(list.output.trim().split('\n').map((line) => line.split(/\s+/)[1])).toEqual(['xwing', 'x25519', 'x25519']);
    expect((await stat(join(data, 'prekeys', 'data.mdb'))).mode & 0o777).toBe(0o600);

    const exported = await herald('prekey', 'export', '--key', at('alice.key'), '--data-dir', data, '--out', at('alice.prekeys'));
    expect(exported).toMatchObject({ code: 0, output: `wrote 3 prekeys to ${at('alice.prekeys')}\n` });
    const valid = await herald('prekey', 'check', at('alice.prekeys'), '--card', at('alice.card'));
    expect(valid.code).toBe(0);
    expect(valid.output).toMatch(/^valid: 3 prekeys of \[/);

    const otherIdentity = await herald('prekey', 'check', at('alice.prekeys'), '--card', at('bob.card'));
    expect(otherIdentity).toMatchObject({ code: 1 });
    expect(otherIdentity.output).toMatch(/^error BAD_PREKEY: prekey bundle is for another identity/);
    const text = (await readFile(at('alice.prekeys'), 'utf8')).trim();
    const bytes = fromBase64Url(text.slice('herald-prekeys:'.length));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    const altered = await herald('prekey', 'check', `herald-prekeys:${toBase64Url(bytes)}`, '--card', at('alice.card'));
    expect(altered.code).toBe(1);
    expect(altered.output).toMatch(/^error BAD_PREKEY: prekey signature does not verify/);

    const pruned = await herald('prekey', 'prune', '--key', at('alice.key'), '--data-dir', data);
    expect(pruned).toMatchObject({ code: 0, output: 'pruned 0 prekeys\n' });
  });

  it('refuses bad invocations with exit 2', async () => {
    const results = await Promise.all([
      herald('prekey', 'rotate'),
      herald('prekey', 'list'),
      herald('prekey', 'check', 'bundle.txt'),
      herald('prekey', 'new', '--key', at('none.key'), '--data-dir', at('d'), '--kind', 'rsa'),
      herald('prekey', 'new', '--key', at('none.key'), '--data-dir', at('d'), '--seal-for', '30s'),
      herald('prekey', 'new', '--key', at('none.key'), '--data-dir', at('d'), '--one-time', '0'),
    ]);
    for (const result of results) expect(result.code).toBe(2);
  });
});
