import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cardToFile, fromBase64Url, generateIdentity, toBase64Url, writeSecretKeyFile } from '@herald/core';
import { run, until } from './process-kit.js';

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

    // One-time prekeys made before are never exported (two people could both seal to one); --one-time makes fresh ones.
    const exported = await herald('prekey', 'export', '--key', at('alice.key'), '--data-dir', data, '--out', at('alice.prekeys'));
    expect(exported).toMatchObject({ code: 0, output: `wrote 1 prekey to ${at('alice.prekeys')}\n` });
    const withOneTime = await herald('prekey', 'export', '--key', at('alice.key'), '--data-dir', data, '--one-time', '2', '--out', at('alice-for-bob.prekeys'));
    expect(withOneTime).toMatchObject({ code: 0, output: `wrote 3 prekeys to ${at('alice-for-bob.prekeys')}\n` });
    const again = await herald('prekey', 'export', '--key', at('alice.key'), '--data-dir', data, '--one-time', '2');
    const idsOf = (text: string): string[] => (text.match(/^[0-9a-f]{16}/gm) ?? []).filter(Boolean);
    const firstCheck = await herald('prekey', 'check', at('alice-for-bob.prekeys'), '--card', at('alice.card'));
    const secondCheck = await herald('prekey', 'check', again.output.trim(), '--card', at('alice.card'));
    const oneTimeIds = (output: string): string[] => output.split('\n').filter((line) => line.includes('one-time')).map((line) => idsOf(line)[0]!);
    expect(oneTimeIds(firstCheck.output)).toHaveLength(2);
    expect(oneTimeIds(secondCheck.output).filter((id) => oneTimeIds(firstCheck.output).includes(id))).toEqual([]);
    expect((await herald('prekey', 'list', '--key', at('alice.key'), '--data-dir', data)).output.trim().split('\n')).toHaveLength(7);
    const valid = await herald('prekey', 'check', at('alice.prekeys'), '--card', at('alice.card'));
    expect(valid.code).toBe(0);
    expect(valid.output).toMatch(/^valid: 1 prekey of \[/);

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

  it('import: a bundle carried by hand makes the very first message to its owner version 2, one-time, and it opens', async () => {
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    for (const [name, identity] of [['alice2', alice], ['bob2', bob]] as const) {
      await writeSecretKeyFile(at(`${name}.key`), identity);
      await writeFile(at(`${name}.card`), cardToFile(identity.card));
    }
    const spool = `dir:${at('spool')}`;
    await mkdir(at('spool'));
    expect((await herald('prekey', 'new', '--key', at('alice2.key'), '--data-dir', at('alice2')))).toMatchObject({ code: 0 });
    const bundle = (await herald('prekey', 'export', '--key', at('alice2.key'), '--data-dir', at('alice2'), '--one-time', '1')).output.trim();
    const forged = await herald('prekey', 'import', bundle, '--card', at('bob2.card'), '--data-dir', at('bob2'));
    expect(forged.code).toBe(1);
    expect(forged.output).toMatch(/^error BAD_PREKEY/);
    expect(await herald('prekey', 'import', bundle, '--card', at('alice2.card'), '--data-dir', at('bob2'))).toMatchObject({ code: 0, output: expect.stringMatching(/^kept 2 prekeys of \[/) });

    const sent = await herald('send', '--key', at('bob2.key'), '--data-dir', at('bob2'), '--via', spool, '--to', at('alice2.card'), '--wait', '0', 'first words');
    expect(sent.code).toBe(3);
    const outbox = (await herald('outbox', '--json', '--data-dir', at('bob2'))).output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(outbox).toEqual([expect.objectContaining({ envelopeVersion: 2, prekey: 'one-time', postQuantum: true })]);
    const listener = run(['listen', '--json', '--key', at('alice2.key'), '--data-dir', at('alice2'), '--via', spool, '--contact', at('bob2.card')]);
    try {
      await until(() => listener.output().includes('first words'), 30_000, 'Alice to open the message');
    } finally {
      // Stopped whatever happened, so a failure leaves no listener polling behind.
      listener.child.kill('SIGTERM');
      await listener.exited;
    }
    const line = listener.output().split('\n').find((each) => each.includes('first words'))!;
    expect(JSON.parse(line)).toMatchObject({ text: 'first words', envelopeVersion: 2, prekey: 'one-time', postQuantum: true });
  }, 60_000);

  it('refuses bad invocations with exit 2', async () => {
    const results = await Promise.all([
      herald('prekey', 'rotate'),
      herald('prekey', 'list'),
      herald('prekey', 'check', 'bundle.txt'),
      herald('prekey', 'new', '--key', at('none.key'), '--data-dir', at('d'), '--kind', 'rsa'),
      herald('prekey', 'new', '--key', at('none.key'), '--data-dir', at('d'), '--seal-for', '30s'),
      herald('prekey', 'new', '--key', at('none.key'), '--data-dir', at('d'), '--one-time', '0'),
      herald('prekey', 'export', '--key', at('none.key'), '--data-dir', at('d'), '--one-time', '256'),
      herald('prekey', 'import', 'bundle.txt', '--card', at('bob.card')),
    ]);
    for (const result of results) expect(result.code).toBe(2);
  });
});
