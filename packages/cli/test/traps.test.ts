import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { herald } from './process-kit.js';

/** Places where a new user tripped (issue 20 §3): each answer is now the one a person expects. */
describe('the command line where new users tripped', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-traps-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('herald relay without a data dir is a usage error (exit 2), not a refused option', async () => {
    const result = await herald(['relay', '--listen', '127.0.0.1:0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage error: --data-dir is required');
  });

  it('an unsupported channel scheme lists the supported ones', async () => {
    expect((await herald(['keygen', '--label', 'Alice', '--out', join(dir, 'alice.key')])).code).toBe(0);
    const result = await herald(['send', '--key', join(dir, 'alice.key'), '--to', join(dir, 'alice.card'), '--via', 'xmpp://chat.example', '--data-dir', join(dir, 'alice-data'), 'hello']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error UNKNOWN_CHANNEL: .*"xmpp:" is not supported; supported: ws:\/\/, wss:\/\/, mqtt:\/\/, mqtts:\/\/, email:, dir:, manual:, bundle:/);
  });

  it('a read-only command never creates the data dir it is pointed at', async () => {
    const missing = join(dir, 'no-such-data');
    const result = await herald(['outbox', '--data-dir', missing]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error FILE_NOT_FOUND:');
    await expect(stat(missing)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('--wait 0s means the same as --wait 0: stored, not waited for (exit 3)', async () => {
    const spool = join(dir, 'spool');
    const result = await herald(['send', '--key', join(dir, 'alice.key'), '--to', join(dir, 'alice.card'), '--via', `dir:${spool}`, '--data-dir', join(dir, 'alice-data'), '--wait', '0s', 'hello']);
    expect(result.stderr).not.toContain('usage error');
    expect(result.code).toBe(3);
  });
});
