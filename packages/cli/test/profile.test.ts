import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { herald } from './process-kit.js';

/** `herald init` once, then daily commands with no --key, --data-dir or --via (issue 20 §1). */
describe('a profile from herald init', () => {
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  const path = (name: string): string => join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-profile-'));
    await mkdir(path('spool'));
    env = { HERALD_PROFILE: path('profile.yaml'), HERALD_KDF_STRENGTH: 'interactive' };
    expect((await herald(['keygen', '--label', 'Bob', '--out', path('bob.key')])).code).toBe(0);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('init makes the key, adds the contacts and writes a 0600 profile of absolute paths', async () => {
    const made = await herald(['init', '--label', 'Alice', '--data-dir', path('alice-data'), '--via', `dir:${path('spool')}`, '--contact', path('bob.card')], { env });
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout.toString()).toMatch(/^[0-9A-Z]{5}( [0-9A-Z]{5}){4}\n$/);
    expect(parse(await readFile(path('profile.yaml'), 'utf8'))).toEqual({ key: path('alice-data/identity.key'), dataDir: path('alice-data'), via: [`dir:${path('spool')}`] });
    expect((await stat(path('profile.yaml'))).mode & 0o777).toBe(0o600);
    expect((await stat(path('alice-data/identity.key'))).mode & 0o777).toBe(0o600);
    const again = await herald(['init', '--label', 'Alice'], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('error FILE_EXISTS: profile');
  });

  it('daily commands take key, data dir and channels from it; environment variables and flags win', async () => {
    const sent = await herald(['send', '--to', 'Bob', '--wait', '0', 'from the profile'], { env });
    expect(sent.stderr).not.toContain('usage error');
    expect(sent.code, sent.stderr).toBe(3);
    const outbox = await herald(['outbox'], { env });
    expect(outbox.code, outbox.stderr).toBe(0);
    expect(outbox.stdout.toString()).toContain('ACCEPTED');
    const fromEnv = await herald(['outbox'], { env: { ...env, HERALD_DATA_DIR: path('elsewhere') } });
    expect(fromEnv.stderr).toContain(`data directory ${path('elsewhere')} does not exist`);
    const fromFlag = await herald(['outbox', '--data-dir', path('flagged')], { env: { ...env, HERALD_DATA_DIR: path('elsewhere') } });
    expect(fromFlag.stderr).toContain(`data directory ${path('flagged')} does not exist`);
  });

  it('does not reach commands whose flags mean something else (the relay keeps its own data dir)', async () => {
    const relay = await herald(['relay', '--listen', '127.0.0.1:0'], { env });
    expect(relay.code).toBe(2);
    expect(relay.stderr).toContain('usage error: --data-dir is required');
  });

  it('without a profile, a missing flag names where else it can come from', async () => {
    const bare = await herald(['outbox'], { env: { HERALD_PROFILE: path('none.yaml') } });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('--data-dir is required (or HERALD_DATA_DIR, or a profile from herald init)');
  });
});
