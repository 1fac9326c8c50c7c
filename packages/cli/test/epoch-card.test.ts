import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCard, readSecretKeyFile } from '@herald/core';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { herald } from './process-kit.js';

/** Version-2 cards from the CLI (epoch routing tags, issue 22 §4): keygen and init --epoch, and what card says of them. */
describe('--epoch: a card whose routing tag changes every epoch', () => {
  let dir = '';
  const path = (name: string): string => join(dir, name);
  const env = (): NodeJS.ProcessEnv => ({ HERALD_PROFILE: path('profile.yaml'), HERALD_KDF_STRENGTH: 'interactive' });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-epoch-card-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keygen --epoch 1d writes a version-2 card with 86400 s, kept in the key file; card says so on stderr', async () => {
    const made = await herald(['keygen', '--out', path('eve.key'), '--label', 'Eve', '--epoch', '1d']);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr).toContain('card version 2, routing tag changes every 1d');
    const card = parseCard(await readFile(path('eve.card'), 'utf8'));
    expect(card.epochSeconds).toBe(86_400);
    expect((await readSecretKeyFile(path('eve.key'))).card.epochSeconds, 'the key file keeps the epoch').toBe(86_400);
    const printed = await herald(['card', path('eve.key')]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(parseCard(printed.stdout.toString().trim()).epochSeconds).toBe(86_400);
    expect(printed.stderr).toBe('card version 2, routing tag changes every 1d\n');
  });

  it('without --epoch the card stays version 1 and card prints nothing on stderr', async () => {
    const made = await herald(['keygen', '--out', path('vic.key'), '--label', 'Vic']);
    expect(made.code, made.stderr).toBe(0);
    expect(parseCard(await readFile(path('vic.card'), 'utf8')).epochSeconds).toBeUndefined();
    const printed = await herald(['card', path('vic.key')]);
    expect(printed.stderr).toBe('');
  });

  it.each([['0'], ['1.5s'], ['soon'], ['200000d']])('refuses --epoch %s as a usage error, writing nothing', async (value) => {
    const refused = await herald(['keygen', '--out', path(`bad-${value}.key`), '--epoch', value]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^usage error: --epoch must be/);
    await expect(readFile(path(`bad-${value}.key`))).rejects.toThrow();
  });

  it('init --epoch 12h makes a version-2 key and says so; --epoch with an existing key is refused', async () => {
    const made = await herald(['init', '--label', 'Iris', '--epoch', '12h', '--data-dir', path('iris')], { env: env() });
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr).toContain('(card version 2, routing tag changes every 12h)');
    const key = (parse(await readFile(path('profile.yaml'), 'utf8')) as { key: string }).key;
    expect((await readSecretKeyFile(key)).card.epochSeconds).toBe(43_200);
    const again = await herald(['init', '--force', '--epoch', '1d', '--data-dir', path('iris')], { env: env() });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--epoch applies to a new key only');
  });
});
