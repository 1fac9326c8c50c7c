import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { open } from 'lmdb';
import { afterEach, describe, expect, it } from 'vitest';
import { CapacityError, OptionsError, memoryStore, type HeraldStore } from '@herald/core';
import { DEFAULT_MAP_SIZE, DEFAULT_MAX_INBOX, DEFAULT_MAX_OUTBOX, DEFAULT_MAX_SEEN, lmdbStore, type LmdbStoreInit } from '@herald/store-lmdb';
import { crashInboxRecord, crashRecord, crashRecordId } from './fixtures/records.mjs';
import { bytes, inboxRecord, outboxRecord, tempDirs } from './helpers.js';
import { agreesWithMemoryStore } from './store-mutations.js';
import { storeBehaviour } from './store-behaviour.js';

const dirs = tempDirs();
const open_: HeraldStore[] = [];
afterEach(async () => {
  await Promise.all(open_.splice(0).map((store) => store.close()));
  await dirs.cleanup();
});

async function fresh(init: Omit<LmdbStoreInit, 'path'> = {}): Promise<Awaited<ReturnType<typeof lmdbStore>> & { dir: string }> {
  const dir = await dirs.make();
  const store = await lmdbStore({ path: dir, ...init });
  open_.push(store);
  return Object.assign(store, { dir });
}

const factories: [string, () => Promise<HeraldStore>][] = [
  ['memoryStore', async () => memoryStore()],
  ['lmdbStore', () => fresh()],
];

describe.each(factories)('HeraldStore behaviour: %s', (_name, make) => storeBehaviour(make));

describe('lmdbStore agrees with memoryStore', () => {
  async function snapshot(store: HeraldStore & { readonly seenCount: number }): Promise<unknown> {
    return { outbox: await store.listOutbox(), inbox: await store.listInbox(), seen: store.seenCount, a: await store.getOutbox('a') };
  }

  it('on random sequences of concurrent batches of mutations (results and state after each batch)', async () => {
    // Each batch is issued together: lmdb-js commits it as one transaction, applying the changes in call order.
    await agreesWithMemoryStore(
      fresh,
      async (subject, reference) => {
        expect(await snapshot(subject)).toStrictEqual(await snapshot(reference));
        // The bound counters are kept by hand in the same transactions: they must match what is really there.
        expect(subject.counts()).toEqual({ outbox: (await reference.listOutbox()).length, inbox: (await reference.listInbox()).length, seen: reference.seenCount });
      },
      40,
    );
  });
});

describe('lmdbStore durability and atomicity', () => {
  it('keeps contacts\' prekeys and the one-time ids used across close and reopen', async () => {
    const store = await fresh();
    const record = { contact: 'ALICE', prekeys: [bytes(120, 1)], used: [{ id: '8899aabbccddeeff', until: 9_000 }] };
    await store.putContactPrekeys(record);
    await store.close();
    const reopened = await lmdbStore({ path: store.dir });
    open_.push(reopened);
    expect(await reopened.getContactPrekeys('ALICE')).toStrictEqual(record);
  });

  it('keeps outbox, inbox and seen-set across close and reopen', async () => {
    const store = await fresh();
    const records = Array.from({ length: 50 }, (_, n) => outboxRecord(`out-${n}`, { createdAt: 50 - n, envelope: bytes(100 + n, n) }));
    await Promise.all(records.map((record) => store.putOutbox(record)));
    await store.receive(inboxRecord('in-1', { expiresAt: 10 }));
    await store.receive(inboxRecord('in-2', { receivedAt: 1 }));
    await store.removeInbox('in-2');
    await store.markSeen('ack-1', 10);
    await store.close();

    const reopened = await lmdbStore({ path: store.dir });
    open_.push(reopened);
    expect(await reopened.listOutbox()).toStrictEqual([...records].reverse());
    expect(await reopened.listInbox()).toStrictEqual([inboxRecord('in-1', { expiresAt: 10 })]);
    expect(reopened.counts()).toEqual({ outbox: 50, inbox: 1, seen: 3 });
    expect(await reopened.receive(inboxRecord('in-2'))).toBe(false);
    expect(await reopened.markSeen('ack-1', 10)).toBe(false);
    // The expiry index survived too: pruning after reopen finds ack-1 (in-1 is still in the inbox).
    expect(await reopened.pruneSeen(11)).toBe(1);
  });

  it('accepts exactly one of 100 concurrent receives of the same id', async () => {
    const store = await fresh();
    const results = await Promise.all(Array.from({ length: 100 }, (_, n) => store.receive(inboxRecord('same', { channel: `ch${n}` }))));
    expect(results.filter((result) => result)).toHaveLength(1);
    expect(await store.listInbox()).toHaveLength(1);
    expect(store.seenCount).toBe(1);
    // …while distinct ids issued together are all accepted, in one group commit.
    const distinct = await Promise.all(Array.from({ length: 100 }, (_, n) => store.receive(inboxRecord(`id-${n}`))));
    expect(distinct.every((result) => result)).toBe(true);
    const marks = await Promise.all(Array.from({ length: 100 }, () => store.markSeen('ack', 10)));
    expect(marks.filter((result) => result)).toHaveLength(1);
  });

  it('creates a missing directory, parents included, even when its name has a dot', async () => {
    const path = join(await dirs.make(), 'nested', 'herald.store');
    const store = await lmdbStore({ path });
    open_.push(store);
    await store.putOutbox(outboxRecord('x'));
    expect((await readdir(path)).sort()).toEqual(['data.mdb', 'lock.mdb']);
  });
});

describe('lmdbStore bounds', () => {
  it('refuses a new outbox id when full (CAPACITY_EXCEEDED, retryable), still replaces existing ones', async () => {
    const store = await fresh({ maxOutbox: 3 });
    for (const id of ['a', 'b', 'c']) await store.putOutbox(outboxRecord(id));
    const error = await store.putOutbox(outboxRecord('d')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CapacityError);
    expect(error).toMatchObject({ code: 'CAPACITY_EXCEEDED', retryable: true, message: 'outbox is full: 3 records (maxOutbox)' });
    await store.putOutbox(outboxRecord('a', { status: 'delivered' }));
    expect((await store.getOutbox('a'))?.status).toBe('delivered');
    await store.deleteOutbox('b');
    await store.putOutbox(outboxRecord('d'));
    expect(store.counts().outbox).toBe(3);
  });

  it('holds the bound exactly under concurrency: 10 puts into room for 5', async () => {
    const store = await fresh({ maxOutbox: 5 });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => store.putOutbox(outboxRecord(`id-${n}`))));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(5);
    expect(results.filter((result) => result.status === 'rejected' && (result.reason as CapacityError).code === 'CAPACITY_EXCEEDED')).toHaveLength(5);
    expect(store.counts().outbox).toBe(5);
  });

  it('refuses a new message when the inbox is full without marking it seen; a duplicate still answers false', async () => {
    const store = await fresh({ maxInbox: 2 });
    expect(await store.receive(inboxRecord('a'))).toBe(true);
    expect(await store.receive(inboxRecord('b'))).toBe(true);
    await expect(store.receive(inboxRecord('c'))).rejects.toMatchObject({ code: 'CAPACITY_EXCEEDED', message: 'inbox is full: 2 records (maxInbox)' });
    expect(await store.receive(inboxRecord('a'))).toBe(false);
    await store.removeInbox('a');
    expect(await store.receive(inboxRecord('c'))).toBe(true); // c was not marked seen by the refused attempt
  });

  it('holds the inbox bound exactly under concurrency: 10 new messages into room for 5, duplicates among them', async () => {
    const store = await fresh({ maxInbox: 5 });
    const ids = Array.from({ length: 10 }, (_, n) => `id-${n}`);
    const results = await Promise.allSettled([...ids, ...ids].map((id) => store.receive(inboxRecord(id))));
    const added = results.filter((result) => result.status === 'fulfilled' && result.value === true);
    expect(added).toHaveLength(5);
    expect(results.every((result) => result.status === 'fulfilled' || (result.reason as CapacityError).code === 'CAPACITY_EXCEEDED')).toBe(true);
    expect(store.counts()).toMatchObject({ inbox: 5, seen: 5 });
  });

  it('sees room another process made before refusing (the count is read again when the inbox looks full)', async () => {
    const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const store = await fresh({ maxInbox: 2 });
    expect(await store.receive(inboxRecord('a'))).toBe(true);
    expect(await store.receive(inboxRecord('b'))).toBe(true);
    await expect(store.receive(inboxRecord('c'))).rejects.toMatchObject({ code: 'CAPACITY_EXCEEDED' });
    const script = `const { lmdbStore } = await import(${JSON.stringify(built)}); const other = await lmdbStore({ path: ${JSON.stringify(store.dir)} }); await other.removeInbox('a'); await other.close();`;
    const code = await new Promise<number | null>((resolve, reject) => spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' }).on('error', reject).on('exit', resolve));
    expect(code).toBe(0);
    expect(await store.receive(inboxRecord('c'))).toBe(true);
    expect(store.counts()).toMatchObject({ inbox: 2, seen: 3 });
  });

  it('refuses new seen ids when the seen-set is full, until pruning frees room', async () => {
    const store = await fresh({ maxSeen: 2 });
    expect(await store.markSeen('a', 10)).toBe(true);
    expect(await store.receive(inboxRecord('b', { expiresAt: 10 }))).toBe(true);
    await expect(store.markSeen('c', 10)).rejects.toMatchObject({ code: 'CAPACITY_EXCEEDED', message: 'seen-set is full: 2 ids (maxSeen)' });
    await expect(store.receive(inboxRecord('c'))).rejects.toMatchObject({ code: 'CAPACITY_EXCEEDED' });
    expect(await store.markSeen('a', 10)).toBe(false);
    expect(await store.pruneSeen(11)).toBe(1); // a; b is in the inbox
    expect(await store.markSeen('c', 10)).toBe(true);
  });

  it('prunes more than one batch (10,000) of expired ids in one call', async () => {
    const store = await fresh();
    const count = 10_500;
    await Promise.all(Array.from({ length: count }, (_, n) => store.markSeen(`s${n}`, n % 2 === 0 ? 5 : 50)));
    await store.receive(inboxRecord('kept', { expiresAt: 1 }));
    expect(await store.pruneSeen(10)).toBe(count / 2);
    expect(store.seenCount).toBe(count / 2 + 1);
  });
});

describe('lmdbStore options', () => {
  it('exports its defaults', () => {
    expect([DEFAULT_MAX_OUTBOX, DEFAULT_MAX_INBOX, DEFAULT_MAX_SEEN, DEFAULT_MAP_SIZE]).toEqual([100_000, 100_000, 1_000_000, 1024 ** 3]);
  });

  const cases: [string, unknown, string][] = [
    ['no init', undefined, 'lmdbStore: init is required ({ path })'],
    ['no path', {}, 'lmdbStore: path: expected a directory path, got undefined'],
    ['empty path', { path: '  ' }, 'lmdbStore: path: expected a directory path, got "  "'],
    ['NUL in path', { path: 'a\0b' }, 'lmdbStore: path: must not contain a NUL character'],
    ['misspelt option', { path: '/tmp/x', maxOutBox: 5 }, 'lmdbStore: unknown option "maxOutBox" (known: path, maxOutbox, maxInbox, maxSeen, mapSize, minFreeBytes)'],
    ['zero maxOutbox', { path: '/tmp/x', maxOutbox: 0 }, 'lmdbStore: maxOutbox: expected a positive integer, got 0'],
    ['fractional maxInbox', { path: '/tmp/x', maxInbox: 1.5 }, 'lmdbStore: maxInbox: expected a positive integer, got 1.5'],
    ['string maxSeen', { path: '/tmp/x', maxSeen: '10' }, 'lmdbStore: maxSeen: expected a positive integer, got "10"'],
    ['NaN maxOutbox', { path: '/tmp/x', maxOutbox: Number.NaN }, 'lmdbStore: maxOutbox: expected a positive integer, got NaN'],
    ['tiny mapSize', { path: '/tmp/x', mapSize: 4096 }, 'lmdbStore: mapSize: expected a whole number of bytes from 1048576 (1 MiB) to 70368744177664 (64 TiB), got 4096'],
    ['huge mapSize', { path: '/tmp/x', mapSize: 2 ** 50 }, 'lmdbStore: mapSize: expected a whole number of bytes from 1048576 (1 MiB) to 70368744177664 (64 TiB), got 1125899906842624'],
    ['negative minFreeBytes', { path: '/tmp/x', minFreeBytes: -1 }, 'lmdbStore: minFreeBytes: expected a whole number of bytes from 0 to 1099511627776 (1 TiB), got -1'],
  ];
  it.each(cases)('%s → OptionsError', async (_label, init, message) => {
    const error = await lmdbStore(init as LmdbStoreInit).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OptionsError);
    expect(error).toMatchObject({ code: 'INVALID_OPTIONS', message });
  });

  it('refuses a path that is a file', async () => {
    const file = join(await dirs.make(), 'plain-file');
    await writeFile(file, 'not a store');
    await expect(lmdbStore({ path: file })).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: `path: ${file} exists and is not a directory` });
  });

  it('refuses a store of another format rather than guessing', async () => {
    const dir = await dirs.make();
    const env = open({ path: dir, noSubdir: false, maxDbs: 8 });
    await env.openDB('meta', {}).put('format', 99);
    await env.close();
    await expect(lmdbStore({ path: dir })).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: `path: ${dir} holds a Herald store of format 99; this version reads format 1` });
  });

  it('refuses an LMDB environment that is not a Herald store', async () => {
    const dir = await dirs.make();
    const env = open({ path: dir, noSubdir: false, maxDbs: 8 });
    await env.openDB('outbox', {}).put('someone-else', { hello: 'world' });
    await env.close();
    await expect(lmdbStore({ path: dir })).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: `path: ${dir} holds an LMDB environment that is not a Herald store` });
  });

  it('refuses malformed records with a TypeError naming the method', async () => {
    const store = await fresh();
    await expect(store.putOutbox(outboxRecord(''))).rejects.toThrow(TypeError);
    await expect(store.putOutbox({ ...outboxRecord('a'), envelope: 'text' as unknown as Uint8Array })).rejects.toThrow('putOutbox: envelope must be a Uint8Array');
    await expect(store.markSeen('a', Number.NaN)).rejects.toThrow('markSeen: expected a number of ms, got NaN');
  });
});

describe('lmdbStore survives SIGKILL', () => {
  const writer = fileURLToPath(new URL('./fixtures/crash-writer.mjs', import.meta.url));
  const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

  /** Runs the writer until it has acknowledged `target` ids, kills it, and returns every id it printed. */
  function runAndKill(path: string, target: number, mode: 'outbox' | 'inbox' = 'outbox'): Promise<{ acknowledged: number[]; signal: NodeJS.Signals | null }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [writer, path, '8', mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      let stderr = '';
      let lines = 0;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        lines += chunk.split('\n').length - 1;
        if (lines >= target && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (signal !== 'SIGKILL') return reject(new Error(`writer ended by itself (code ${String(code)}): ${stderr}`));
        // Only complete lines count: a line cut by the kill was not fully printed.
        const complete = text.slice(0, text.lastIndexOf('\n') + 1);
        resolve({ acknowledged: complete.split('\n').filter(Boolean).map(Number), signal });
      });
    });
  }

  it.each([1, 2, 3])('run %i: every id acknowledged before the kill is present and intact', async () => {
    if (!existsSync(built)) throw new Error(`${built} is missing: build first (pnpm test runs tsc -b before vitest)`);
    const path = await dirs.make();
    const target = 300 + Math.floor(Math.random() * 700);
    const { acknowledged } = await runAndKill(path, target);
    expect(acknowledged.length).toBeGreaterThanOrEqual(target);

    const store = await lmdbStore({ path, maxOutbox: 10_000_000 });
    open_.push(store);
    for (const n of acknowledged) expect(await store.getOutbox(crashRecordId(n))).toStrictEqual(crashRecord(n));
    // Records committed but not yet printed may be there too; nothing else and nothing torn.
    const stored = await store.listOutbox();
    expect(stored.length).toBeGreaterThanOrEqual(acknowledged.length);
    for (const record of stored) expect(record).toStrictEqual(crashRecord(parseInt(record.id, 16)));
    // And the store takes writes again after the crash.
    await store.putOutbox(outboxRecord('after-crash'));
    expect(await store.getOutbox('after-crash')).toBeDefined();
  });

  it.each([1, 2])('run %i: every message received before the kill is in the inbox and the seen-set, intact, and counted', async () => {
    if (!existsSync(built)) throw new Error(`${built} is missing: build first (pnpm test runs tsc -b before vitest)`);
    const path = await dirs.make();
    const target = 300 + Math.floor(Math.random() * 700);
    const { acknowledged } = await runAndKill(path, target, 'inbox');
    expect(acknowledged.length).toBeGreaterThanOrEqual(target);

    const store = await lmdbStore({ path, maxInbox: 10_000_000 });
    open_.push(store);
    const inbox = new Map((await store.listInbox()).map((record) => [record.id, record]));
    for (const n of acknowledged) expect(inbox.get(crashRecordId(n))).toStrictEqual(crashInboxRecord(n));
    for (const record of inbox.values()) expect(record).toStrictEqual(crashInboxRecord(parseInt(record.id, 16)));
    // Inbox and seen-set written together or not at all: a copy of each is a duplicate, and the counts agree.
    for (const n of acknowledged.slice(0, 50)) expect(await store.receive(crashInboxRecord(n))).toBe(false);
    expect(store.counts()).toMatchObject({ inbox: inbox.size, seen: inbox.size });
  });
});
