/** keygen, card and fingerprint, and keys protected by a passphrase, through the built CLI (see cli-run.ts). */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isPassphraseProtected, parseCard } from '@herald/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dir, expectRefused, fingerprints, herald, makeFourKeys, removeScratchFolder, sealFor } from './cli-run.js';

const FINGERPRINT = /^[0-9A-Z]{5}( [0-9A-Z]{5}){4}$/;

beforeAll(makeFourKeys);
afterAll(removeScratchFolder);

describe.concurrent('keygen, card, fingerprint', () => {
  it('writes a 0600 key and a card, and prints the fingerprint that `fingerprint` reports', async () => {
    const result = await herald(['keygen', '--out', 'erin.key', '--label', 'Erin']);
    expect(result.code).toBe(0);
    expect(result.text).toMatch(new RegExp(`${FINGERPRINT.source.slice(0, -1)}\\n$`));
    expect((await stat(join(dir, 'erin.key'))).mode & 0o777).toBe(0o600);
    const cardFile = await readFile(join(dir, 'erin.card'), 'utf8');
    expect(parseCard(cardFile).label).toBe('Erin');
    const printed = result.text.trim();
    for (const argument of ['erin.card', 'erin.key', cardFile.trim().split('\n').at(-1) ?? '']) {
      const fingerprint = await herald(['fingerprint', argument]);
      expect(fingerprint.code, argument).toBe(0);
      expect(fingerprint.text).toBe(`${printed}\n`);
    }
    const keyBody = (await readFile(join(dir, 'erin.key'), 'utf8')).split('\n')[1] ?? '';
    expect(keyBody.length).toBeGreaterThan(20);
    expect(result.text + result.stderr).not.toContain(keyBody);
  });

  it('refuses to overwrite without --force, and overwrites with it', async () => {
    const before = await readFile(join(dir, 'alice.key'), 'utf8');
    expectRefused(await herald(['keygen', '--out', 'alice.key']), 'FILE_EXISTS');
    expect(await readFile(join(dir, 'alice.key'), 'utf8')).toBe(before);
    await herald(['keygen', '--out', 'frank.key']);
    const again = await herald(['keygen', '--out', 'frank.key', '--force']);
    expect(again.code).toBe(0);
    expect(parseCard(await readFile(join(dir, 'frank.card'), 'utf8')).fingerprint).toBe(again.text.trim());
  });

  it('appends .card when the key path does not end in .key', async () => {
    const result = await herald(['keygen', '--out', 'gina.secret']);
    expect(result.code).toBe(0);
    expect(parseCard(await readFile(join(dir, 'gina.secret.card'), 'utf8')).fingerprint).toBe(result.text.trim());
  });

  it('card prints the one-line card of a key, which parses to the same identity', async () => {
    const result = await herald(['card', 'bob.key']);
    expect(result.code).toBe(0);
    expect(result.text).toMatch(/^herald-card:[A-Za-z0-9_-]+\n$/);
    const card = parseCard(result.text);
    expect(card.fingerprint).toBe(fingerprints['bob']);
    expect(card.label).toBe('bob');
  });

  it('fails with FILE_NOT_FOUND for a missing key or card', async () => {
    expectRefused(await herald(['card', 'nobody.key']), 'FILE_NOT_FOUND');
    expectRefused(await herald(['seal', '--from', 'alice.key', '--to', 'nobody.card'], { input: 'x' }), 'FILE_NOT_FOUND');
  });
});

describe.concurrent('passphrase-protected keys', () => {
  const env = { HERALD_PASSPHRASE: 'correct horse battery staple' };

  beforeAll(async () => {
    await writeFile(join(dir, 'pass.txt'), `${env.HERALD_PASSPHRASE}\n`);
    const made = await herald(['keygen', '--out', 'locked.key', '--passphrase-file', 'pass.txt']);
    expect(made.code, made.stderr).toBe(0);
  });

  it('writes a protected key that round trips with either passphrase source', async () => {
    expect(isPassphraseProtected(await readFile(join(dir, 'locked.key'), 'utf8'))).toBe(true);
    const sealed = await herald(['seal', '--from', 'locked.key', '--to', 'bob.card'], { input: 'from the vault', env });
    expect(sealed.code, sealed.stderr).toBe(0);
    expect((await herald(['open', '--key', 'bob.key'], { input: sealed.stdout })).text).toBe('from the vault');
    const back = await sealFor(['locked.card'], 'to the vault');
    const opened = await herald(['open', '--key', 'locked.key', '--passphrase-file', 'pass.txt'], { input: back });
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.text).toBe('to the vault');
    expect(opened.stderr).not.toContain(env.HERALD_PASSPHRASE);
  });

  it('fails with PASSPHRASE_REQUIRED without one and BAD_PASSPHRASE with a wrong one', async () => {
    expectRefused(await herald(['card', 'locked.key']), 'PASSPHRASE_REQUIRED');
    expectRefused(await herald(['seal', '--from', 'locked.key', '--to', 'bob.card'], { input: 'x' }), 'PASSPHRASE_REQUIRED');
    const wrong = { HERALD_PASSPHRASE: 'wrong horse' };
    expectRefused(await herald(['card', 'locked.key'], { env: wrong }), 'BAD_PASSPHRASE');
    const back = await sealFor(['locked.card'], 'x');
    expectRefused(await herald(['open', '--key', 'locked.key'], { input: back, env: wrong }), 'BAD_PASSPHRASE');
    expectRefused(await herald(['card', 'locked.key'], { env: { HERALD_PASSPHRASE: '' } }), 'EMPTY_PASSPHRASE');
  });

  it('takes no passphrase as a flag value, which other local users could read in the process list', async () => {
    for (const args of [['keygen', '--out', 'flagged.key', '--passphrase', 'hunter2'], ['keygen', '--out', 'flagged.key', '--passphrase=hunter2'], ['card', 'locked.key', '--passphrase', 'hunter2']]) {
      const refused = await herald(args);
      expect({ args, code: refused.code }).toEqual({ args, code: 2 });
      expect(refused.stderr + refused.text).not.toContain('hunter2');
    }
    await expect(readFile(join(dir, 'flagged.key'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
