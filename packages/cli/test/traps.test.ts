import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { bin, herald } from './process-kit.js';

const PTY_RUN = fileURLToPath(new URL('fixtures/pty-run.py', import.meta.url));

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

  it('ack-code for a message made with seal says it is in no outbox, and creates nothing', async () => {
    const missing = join(dir, 'sealed-only');
    const result = await herald(['ack-code', '--key', join(dir, 'alice.key'), '--data-dir', missing, 'ABCDE', 'FGHIJ']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error UNKNOWN_ACK_CODE: .*a message made with herald seal is in no outbox/);
    await expect(stat(missing)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('trusting an authority warns that contacts added by card alone will now be refused unless certified', async () => {
    expect((await herald(['org', 'init', '--out', join(dir, 'org.key'), '--label', 'Mission X'])).code).toBe(0);
    const lonely = await herald(['trust', 'authority', join(dir, 'org.card'), '--data-dir', join(dir, 'no-contacts')]);
    expect(lonely.code, lonely.stderr).toBe(0);
    expect(lonely.stderr).not.toContain('warning');
    const data = join(dir, 'with-contacts');
    expect((await herald(['contacts', 'add', join(dir, 'alice.card'), '--data-dir', data])).code).toBe(0);
    const warned = await herald(['trust', 'authority', join(dir, 'org.card'), '--data-dir', data]);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toContain('warning: from now on every sender needs a certificate from a trusted authority; your 1 contact will be refused (UNCERTIFIED) unless certified');
    expect(warned.stderr).toContain(`herald trust require no --data-dir ${data}`);
  });

  it('herald qr --read decodes the PNG pictures herald qr wrote, not only their texts', async () => {
    const envelope = (await herald(['seal', '--from', join(dir, 'alice.key'), '--to', join(dir, 'alice.card')], { input: 'x'.repeat(2500) })).stdout;
    const written = await herald(['qr', '--format', 'png', '--out', join(dir, 'msg')], { input: envelope });
    expect(written.code, written.stderr).toBe(0);
    const pictures = written.stderr.trim().split('\n');
    expect(pictures.length).toBeGreaterThan(1);
    const read = await herald(['qr', '--read', ...pictures.reverse()]);
    expect(read.code, read.stderr).toBe(0);
    expect(Buffer.compare(read.stdout, envelope)).toBe(0);
    const notAPicture = await herald(['qr', '--read', join(dir, 'alice.card')]);
    expect(notAPicture.stderr).toContain('error BAD_QR');
  });

  it('on a terminal, a protected key asks for its passphrase without echoing it, three tries at most', async () => {
    const key = join(dir, 'protected.key');
    const made = await herald(['keygen', '--label', 'P', '--out', key], { env: { HERALD_PASSPHRASE: 'correct horse battery' } });
    expect(made.code, made.stderr).toBe(0);
    // A pseudo-terminal (python3's pty), answering each prompt with the next line given.
    const atTerminal = (answers: string) => herald([], { input: answers, command: ['python3', PTY_RUN, process.execPath, bin, 'card', key] });
    const right = await atTerminal('wrong guess\ncorrect horse battery\n');
    expect(right.code, right.stdout.toString()).toBe(0);
    const screen = right.stdout.toString();
    expect(screen).toContain(`passphrase for ${key}: `);
    expect(screen).toContain('wrong passphrase, try again');
    expect(screen).toMatch(/herald-card:[A-Za-z0-9_-]+/);
    expect(screen).not.toContain('correct horse battery');
    expect(screen).not.toContain('wrong guess');
    const wrong = await atTerminal('a\nb\nc\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stdout.toString()).toContain('error BAD_PASSPHRASE');
    const piped = await herald(['card', key]);
    expect(piped.stderr).toContain('error PASSPHRASE_REQUIRED');
  });

  it('--wait 0s means the same as --wait 0: stored, not waited for (exit 3)', async () => {
    const spool = join(dir, 'spool');
    await mkdir(spool, { recursive: true });
    const result = await herald(['send', '--key', join(dir, 'alice.key'), '--to', join(dir, 'alice.card'), '--via', `dir:${spool}`, '--data-dir', join(dir, 'alice-data'), '--wait', '0s', 'hello']);
    expect(result.stderr).not.toContain('usage error');
    expect(result.code).toBe(3);
  });

  it('--via dir: on a stick that is not mounted writes nothing under the empty mount point: the channel is down, said at once', async () => {
    const mountPoint = join(dir, 'mnt-usb');
    await mkdir(mountPoint);
    const result = await herald(['send', '--key', join(dir, 'alice.key'), '--to', join(dir, 'alice.card'), '--via', `dir:${mountPoint}/herald`, '--data-dir', join(dir, 'stick-data'), '--wait', '0', 'for the courier']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`warning: --via dir:${mountPoint}/herald: no folder ${mountPoint}/herald (is the stick or share mounted?); the channel stays down until it appears`);
    expect(result.stderr).toMatch(/is in the outbox \(queued\)/);
    expect(await readdir(mountPoint)).toEqual([]);
    // Once the stick is there, the message goes.
    await mkdir(join(mountPoint, 'herald'));
    const flushed = await herald(['flush', '--key', join(dir, 'alice.key'), '--via', `dir:${mountPoint}/herald`, '--data-dir', join(dir, 'stick-data'), '--wait', '1s']);
    expect(flushed.stderr).toMatch(/accepted via dir:/);
    expect((await readdir(join(mountPoint, 'herald'), { recursive: true })).length).toBeGreaterThan(0);
  });
});
