import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptionsError, TransportError, seal } from '@herald/core';
import { dirTransport, mapFsError, parseDirUrl, type DirTransportInit } from '@herald/transport-dir';
import { alice, bob, carol, envelopeTo, events, pause, routeOf, tagOf, tempFolder, transport, until } from './helpers.js';

describe('parseDirUrl', () => {
  it('accepts dir:/abs and dir:///abs, normalising the path', () => {
    expect(parseDirUrl('dir:/mnt/usb/herald')).toBe('/mnt/usb/herald');
    expect(parseDirUrl('dir:///mnt/usb/herald/')).toBe('/mnt/usb/herald');
    expect(parseDirUrl('dir:/mnt/usb/../stick/herald')).toBe('/mnt/stick/herald');
    expect(parseDirUrl('dir:/with space/%20')).toBe('/with space/%20');
  });

  it.each([
    ['file:/tmp/x', /url: expected a "dir:" URL such as "dir:\/path\/to\/folder", got "file:\/tmp\/x"/],
    ['dir:', /url: "dir:" needs a folder path/],
    ['dir:relative/path', /url: expected an absolute folder path after "dir:", got "relative\/path"/],
    ['dir://host/share', /url: dir: URLs take no host/],
    ['dir:/a\0b', /url: the folder path contains a NUL character/],
  ])('refuses %j', (url, message) => {
    expect(() => parseDirUrl(url)).toThrow(OptionsError);
    expect(() => parseDirUrl(url)).toThrow(message);
  });
});

describe('options', () => {
  it('defaults: name dir:<abs path>, 32 MiB, poll delivery, store-and-forward', () => {
    const made = dirTransport({ path: 'relative/spool' });
    expect(made.name).toBe(`dir:${resolve('relative/spool')}`);
    expect(made.capabilities).toEqual({ maxEnvelopeBytes: 32 * 1024 * 1024, requiresPeerOnline: false, storeAndForward: true, delivery: 'poll' });
    expect(dirTransport({ url: 'dir:/srv/drop', name: 'drop', maxEnvelopeBytes: 1024 }).name).toBe('drop');
    expect(dirTransport({ url: 'dir:/srv/drop', maxEnvelopeBytes: 1024 }).capabilities.maxEnvelopeBytes).toBe(1024);
    expect(dirTransport({ url: 'dir:///srv/drop' }).health()).toMatchObject({ state: 'down', reason: 'not started' });
  });

  const cases: [string, unknown, RegExp][] = [
    ['no init', undefined, /^dirTransport: init is required \(\{ path \} or \{ url \}\)$/],
    ['neither path nor url', {}, /^dirTransport: path \(or url\) is required$/],
    ['both', { path: '/a', url: 'dir:/a' }, /^dirTransport: give either path or url, not both$/],
    ['empty path', { path: '' }, /^dirTransport: path: expected a non-empty string, got ""$/],
    ['bad url', { url: 'dir:x' }, /^url: expected an absolute folder path after "dir:", got "x"$/],
    ['unknown key', { path: '/a', pollInterval: 5 }, /^dirTransport: unknown option "pollInterval" \(known: path, url, pollIntervalMs, .*\)$/],
    ['poll too fast', { path: '/a', pollIntervalMs: 5 }, /^dirTransport: pollIntervalMs: expected whole milliseconds from 10 to 3600000, got 5$/],
    ['poll fractional', { path: '/a', pollIntervalMs: 12.5 }, /^dirTransport: pollIntervalMs: expected whole milliseconds from 10 to 3600000, got 12.5$/],
    ['poll as string', { path: '/a', pollIntervalMs: '500' }, /^dirTransport: pollIntervalMs: expected whole milliseconds from 10 to 3600000, got "500"$/],
    ['zero size', { path: '/a', maxEnvelopeBytes: 0 }, /^dirTransport: maxEnvelopeBytes: expected whole bytes from 1 to 1073741824, got 0$/],
    ['createIfMissing', { path: '/a', createIfMissing: 'yes' }, /^dirTransport: createIfMissing: expected true or false, got "yes"$/],
    ['blank name', { path: '/a', name: ' ' }, /^dirTransport: name: expected a non-empty string, got " "$/],
    ['in-flight', { path: '/a', maxDeliveriesInFlight: 0 }, /^dirTransport: maxDeliveriesInFlight: expected whole deliveries from 1 to 256, got 0$/],
    ['entries', { path: '/a', maxEntriesPerPoll: 2 }, /^dirTransport: maxEntriesPerPoll: expected whole entries from 16 to 1000000, got 2$/],
    ['retry below poll', { path: '/a', pollIntervalMs: 1000, maxRetryDelayMs: 500 }, /^dirTransport: maxRetryDelayMs: expected whole milliseconds from 1000 to 86400000, got 500$/],
  ];
  it.each(cases)('refuses %s with a precise OptionsError', (_, init, message) => {
    let caught: unknown;
    try {
      dirTransport(init as DirTransportInit);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OptionsError);
    expect((caught as OptionsError).code).toBe('INVALID_OPTIONS');
    expect((caught as OptionsError).message).toMatch(message);
  });
});

describe('writing', () => {
  it('creates the folder (mode 0700, parents too) at start', async () => {
    const spool = join(await tempFolder(), 'a', 'b', 'spool');
    await transport({ path: spool }).start({ routingTags: [], deliver: async () => {} });
    expect((await stat(spool)).mode & 0o777).toBe(0o700);
  });

  it('writes <routingTagHex>.<messageIdHex>.env once per recipient tag, atomically (no temp file left), mode 0600', async () => {
    const spool = await tempFolder();
    const sender = transport({ path: spool });
    await sender.start({ routingTags: [], deliver: async () => {} });
    const envelope = envelopeTo(bob, carol);
    const route = routeOf(envelope);
    const before = Date.now();
    const receipt = await sender.send(envelope, route);
    expect(receipt.channel).toBe(`dir:${spool}`);
    expect(receipt.acceptedAt).toBeGreaterThanOrEqual(before);
    const names = (await readdir(spool)).sort();
    expect(names).toEqual([`${tagOf(bob)}.${route.messageId}.env`, `${tagOf(carol)}.${route.messageId}.env`].sort());
    for (const name of names) {
      expect(new Uint8Array(await readFile(join(spool, name)))).toEqual(envelope);
      expect((await stat(join(spool, name))).mode & 0o777).toBe(0o600);
    }
    expect(sender.health().lastSuccess).toBeGreaterThanOrEqual(before);
  });

  it('removes its temp file when the write fails, and maps the failure', async () => {
    const spool = await tempFolder();
    const sender = transport({ path: spool });
    await sender.start({ routingTags: [], deliver: async () => {} });
    const envelope = envelopeTo(bob);
    // A folder squatting on the final name makes the rename fail after the temp file was written.
    await mkdir(join(spool, `${tagOf(bob)}.${routeOf(envelope).messageId}.env`, 'x'), { recursive: true });
    const error = await sender.send(envelope, routeOf(envelope)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransportError);
    expect((await readdir(spool)).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
  });

  it('refuses bad routes, oversize envelopes, aborted sends, and sends before start or after stop', async () => {
    const spool = await tempFolder();
    const sender = transport({ path: spool, maxEnvelopeBytes: 600 });
    const envelope = envelopeTo(bob);
    const route = routeOf(envelope);
    await expect(sender.send(envelope, route)).rejects.toMatchObject({ code: 'CHANNEL_STOPPED', message: `dir:${spool}: send: not started` });
    await sender.start({ routingTags: [], deliver: async () => {} });
    await expect(sender.send(envelope, { ...route, routingTags: ['../../etc'] })).rejects.toMatchObject({ code: 'CHANNEL_REJECTED', retryable: false });
    await expect(sender.send(envelope, { ...route, messageId: 'ABC' })).rejects.toMatchObject({ code: 'CHANNEL_REJECTED' });
    await expect(sender.send(envelope, { ...route, routingTags: [] })).rejects.toMatchObject({ code: 'CHANNEL_REJECTED' });
    await expect(sender.send(new Uint8Array(601), route)).rejects.toMatchObject({ code: 'CHANNEL_TOO_SMALL', retryable: false });
    await expect(sender.send(envelope, route, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED', retryable: false });
    expect(await readdir(spool)).toEqual([]);
    await sender.stop();
    await expect(sender.send(envelope, route)).rejects.toMatchObject({ code: 'CHANNEL_STOPPED', message: `dir:${spool}: send: stopped` });
  });
});

describe('lifecycle', () => {
  it('refuses a second start and a start after stop; stop is idempotent and reports down', async () => {
    const made = transport({ path: await tempFolder() });
    const seen = events(made);
    await made.start({ routingTags: [tagOf(bob)], deliver: async () => {} });
    expect(made.health().state).toBe('up');
    await expect(made.start({ routingTags: [], deliver: async () => {} })).rejects.toMatchObject({ code: 'ALREADY_STARTED', message: /already started/ });
    await Promise.all([made.stop(), made.stop()]);
    await made.stop();
    expect(made.health()).toMatchObject({ state: 'down', reason: 'stopped' });
    expect(seen.map((event) => (event.type === 'health' ? event.health.state : event.type))).toEqual(['up', 'down']);
    await expect(made.start({ routingTags: [], deliver: async () => {} })).rejects.toMatchObject({ code: 'CHANNEL_STOPPED' });
  });

  it('validates start options precisely', async () => {
    const made = transport({ path: await tempFolder() });
    await expect(made.start({ routingTags: ['XYZ'], deliver: async () => {} })).rejects.toThrow(/^start: routingTags\[0\]: expected lowercase hex, got "XYZ"$/);
    await expect(made.start({ routingTags: [], deliver: undefined as never })).rejects.toThrow(/^start: deliver: expected a function$/);
  });

  it('an aborted start signal rejects with ABORTED; aborting it later stops the transport', async () => {
    const spool = await tempFolder();
    await expect(transport({ path: spool }).start({ routingTags: [], deliver: async () => {}, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
    const lifetime = new AbortController();
    const made = transport({ path: spool });
    await made.start({ routingTags: [], deliver: async () => {}, signal: lifetime.signal });
    lifetime.abort();
    await until('the transport to stop', () => made.health().reason === 'stopped');
    await expect(made.send(envelopeTo(bob), routeOf(envelopeTo(bob)))).rejects.toMatchObject({ code: 'CHANNEL_STOPPED' });
  });

  it('stop() waits for in-flight deliveries, then removes their files; its signal only cuts the wait short', async () => {
    const spool = await tempFolder();
    const envelope = envelopeTo(bob);
    const name = `${tagOf(bob)}.${routeOf(envelope).messageId}.env`;
    await writeFile(join(spool, name), envelope);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let offered = false;
    const reader = transport({ path: spool });
    await reader.start({ routingTags: [tagOf(bob)], deliver: () => ((offered = true), held) });
    await until('the delivery to start', () => offered);
    await expect(reader.stop({ signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await readdir(spool)).toEqual([name]);
    const stopping = reader.stop();
    release();
    await stopping;
    expect(await readdir(spool)).toEqual([]);
  });
});

describe('a folder that goes away', () => {
  it.each([
    ['is removed', (spool: string) => rm(spool, { recursive: true }), /the folder is missing \(ENOENT\)/],
    ['is replaced by a regular file', async (spool: string) => (await rm(spool, { recursive: true }), writeFile(spool, 'not a folder')), /not a folder/],
  ])('%s: send fails CHANNEL_UNAVAILABLE (retryable), health goes down with a reason, and comes back when restored', async (_, breakIt, reason) => {
    const spool = join(await tempFolder(), 'spool');
    const made = transport({ path: spool });
    await made.start({ routingTags: [tagOf(bob)], deliver: async () => {} });
    const seen = events(made);
    await breakIt(spool);
    const envelope = envelopeTo(bob);
    const error = (await made.send(envelope, routeOf(envelope)).catch((caught: unknown) => caught)) as TransportError;
    expect(error).toMatchObject({ name: 'TransportError', code: 'CHANNEL_UNAVAILABLE', retryable: true, channel: made.name });
    expect(made.health().state).toBe('down');
    await until('the poll to explain why', () => reason.test(made.health().reason ?? ''));
    await rm(spool, { force: true });
    await mkdir(spool);
    await until('health back up', () => made.health().state === 'up');
    expect(seen.filter((event) => event.type === 'health').map((event) => event.type === 'health' && event.health.state)).toContain('up');
    await made.send(envelope, routeOf(envelope));
  });

  it('with createIfMissing false, a missing folder is down (start still resolves) and up once it appears', async () => {
    const spool = join(await tempFolder(), 'stick');
    const made = transport({ path: spool, createIfMissing: false });
    await made.start({ routingTags: [tagOf(bob)], deliver: async () => {} });
    expect(made.health()).toMatchObject({ state: 'down', reason: expect.stringMatching(/missing/) });
    await expect(stat(spool)).rejects.toMatchObject({ code: 'ENOENT' });
    await mkdir(spool);
    await until('health up', () => made.health().state === 'up');
  });
});

describe('native errors', () => {
  const errno = (code: string): Error => Object.assign(new Error(`${code}: simulated`), { code });

  it.each([
    ['EACCES', 'CHANNEL_UNAVAILABLE', true, 'down'],
    ['EPERM', 'CHANNEL_UNAVAILABLE', true, 'down'],
    ['EROFS', 'CHANNEL_UNAVAILABLE', true, 'down'],
    ['ENOENT', 'CHANNEL_UNAVAILABLE', true, 'down'],
    ['ENOTDIR', 'CHANNEL_UNAVAILABLE', true, 'down'],
    ['EIO', 'CHANNEL_UNAVAILABLE', true, 'down'],
    ['EWHATEVER', 'CHANNEL_UNAVAILABLE', true, 'down'],
    ['ENOSPC', 'QUOTA_EXCEEDED', true, 'degraded'],
    ['EDQUOT', 'QUOTA_EXCEEDED', true, 'degraded'],
    ['ENAMETOOLONG', 'CHANNEL_REJECTED', false, 'down'],
  ])('%s maps to %s (retryable %s), health %s', (code, expected, retryable, health) => {
    const mapped = mapFsError(errno(code), 'dir:/x', 'writing the envelope');
    expect(mapped.error).toMatchObject({ code: expected, retryable, channel: 'dir:/x' });
    expect(mapped.error.message).toMatch(new RegExp(`^dir:/x: writing the envelope: .*\\(${code}\\)$`));
    expect(mapped.health).toBe(health);
  });

  it('an AbortError maps to ABORTED', () => {
    expect(mapFsError(new DOMException('stop', 'AbortError'), 'dir:/x', 'writing').error.code).toBe('ABORTED');
  });

  // As root, chmod alone stops nobody (root bypasses permission bits). Dropping the
  // effective uid of this test process (vitest runs each file in its own fork) does.
  it('a folder the process may not write is CHANNEL_UNAVAILABLE and down (real EACCES)', async () => {
    const base = await tempFolder();
    const spool = join(base, 'spool');
    await mkdir(spool);
    const made = transport({ path: spool });
    await made.start({ routingTags: [tagOf(bob)], deliver: async () => {} });
    await chmod(base, 0o755);
    await chmod(spool, 0o555);
    const isRoot = process.getuid?.() === 0;
    if (isRoot) process.seteuid!(65534);
    try {
      const envelope = envelopeTo(bob);
      const error = await made.send(envelope, routeOf(envelope)).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'CHANNEL_UNAVAILABLE', retryable: true, message: expect.stringMatching(/permission denied \(EACCES\)/) });
      await until('the poll to see the folder unwritable', () => /EACCES/.test(made.health().reason ?? ''));
      expect(made.health().state).toBe('down');
    } finally {
      if (isRoot) process.seteuid!(0);
      await chmod(spool, 0o700);
    }
    await until('health back up', () => made.health().state === 'up');
  });

  describe('on a small tmpfs (needs root and mount; skipped otherwise)', () => {
    let mountPoint: string | undefined;
    beforeAll(async () => {
      const candidate = await mkdtemp(join(tmpdir(), 'herald-dir-tmpfs-'));
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', candidate], { stdio: 'ignore' });
        mountPoint = candidate;
      } catch {
        await rm(candidate, { recursive: true, force: true });
      }
    });
    afterAll(async () => {
      if (!mountPoint) return;
      execFileSync('umount', [mountPoint], { stdio: 'ignore' });
      await rm(mountPoint, { recursive: true, force: true });
    });

    it('a full medium (ENOSPC) is QUOTA_EXCEEDED, retryable, health degraded until a write succeeds', async (context) => {
      if (!mountPoint) return context.skip('cannot mount a tmpfs here');
      const made = transport({ path: join(mountPoint, 'full'), maxEnvelopeBytes: 1 << 20 });
      await made.start({ routingTags: [], deliver: async () => {} });
      const big = seal(new Uint8Array(100 * 1024), { from: alice, to: bob.card });
      const error = await made.send(big, routeOf(big)).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'QUOTA_EXCEEDED', retryable: true, message: expect.stringMatching(/ENOSPC/) });
      expect(made.health().state).toBe('degraded');
      await pause(60); // A few polls: the probe cannot see fullness, so it must not clear it.
      expect(made.health().state).toBe('degraded');
      expect((await readdir(join(mountPoint, 'full'))).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
      const small = envelopeTo(bob);
      await made.send(small, routeOf(small));
      expect(made.health().state).toBe('up');
    });

    it('a read-only medium (EROFS) is CHANNEL_UNAVAILABLE and down', async (context) => {
      if (!mountPoint) return context.skip('cannot mount a tmpfs here');
      const made = transport({ path: join(mountPoint, 'ro') });
      await made.start({ routingTags: [], deliver: async () => {} });
      execFileSync('mount', ['-o', 'remount,ro', mountPoint], { stdio: 'ignore' });
      try {
        const envelope = envelopeTo(bob);
        const error = await made.send(envelope, routeOf(envelope)).catch((caught: unknown) => caught);
        expect(error).toMatchObject({ code: 'CHANNEL_UNAVAILABLE', retryable: true, message: expect.stringMatching(/read-only file system \(EROFS\)/) });
        await until('the poll to see the read-only folder', () => /EROFS/.test(made.health().reason ?? ''));
        expect(made.health().state).toBe('down');
      } finally {
        execFileSync('mount', ['-o', 'remount,rw', mountPoint], { stdio: 'ignore' });
      }
    });
  });
});
