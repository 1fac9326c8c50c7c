import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateIdentity, inspect, seal } from '@herald/core';
import { lmdbRelayStore, type MailboxLimits, type RelayStore } from '../src/index.js';
import { open as openLmdb } from 'lmdb';
import { sodium } from '../src/sodium.js';
import { turnBatch } from '../src/store/turn-batch.js';

const LIMITS = { mailboxMaxEnvelopes: 1000, mailboxMaxBytes: 1 << 24, maxStoredBytes: 1 << 26, maxStoredEnvelopes: 100 };
const opened: { store: RelayStore; dir: string }[] = [];

async function openStore(dir?: string, limits: MailboxLimits = LIMITS): Promise<{ store: RelayStore; dir: string }> {
  const path = dir ?? (await mkdtemp(join(tmpdir(), 'herald-mailboxes-')));
  const store = await lmdbRelayStore({ dir: path, mapSize: 1 << 28, limits });
  const entry = { store, dir: path };
  opened.push(entry);
  return entry;
}

afterEach(async () => {
  for (const { store, dir } of opened.splice(0)) {
    await store.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
});

async function deposit(store: RelayStore, text: string, to = generateIdentity(), keepUntil?: number) {
  const envelope = seal(text, { from: generateIdentity(), to: to.card });
  const outline = inspect(envelope);
  const result = await store.deposit({ envelope, tags: outline.routingTags, id: outline.id, keepUntil: keepUntil ?? outline.expires.getTime() });
  if (result.outcome !== 'stored') throw new Error(`not stored: ${result.outcome}`);
  return { ...result, tag: outline.routingTags[0]! };
}

describe('relay mailboxes: group commit and entries acknowledged before they are written', () => {
  it('never writes an entry its recipient acknowledged while its write was still queued, and still settles the deposit', async () => {
    const { store, dir } = await openStore();
    const first = await deposit(store, 'kept');
    const second = await deposit(store, 'acknowledged at once');
    const entry = second.entries[0]!;
    // Same turn as the deposit: its batch has not started.
    expect(await store.ack(entry.tag, entry.seq)).toBe(true);
    expect(entry.elided).toBe(true);
    await Promise.all([first.committed, second.committed]);
    expect(await store.list(second.tag, 10, () => false)).toEqual([]);
    expect((await store.list(first.tag, 10, () => false)).map((each) => each.seq)).toEqual([first.entries[0]!.seq]);
    expect(store.usage.envelopes).toBe(1);
    await store.close();
    opened.pop();
    // After a restart only what was written is there.
    const again = await openStore(dir);
    expect(again.store.usage.envelopes).toBe(1);
    expect(await again.store.list(first.tag, 10, () => false)).toHaveLength(1);
  });

  it('removes durably an entry acknowledged once its write has started', async () => {
    const { store, dir } = await openStore();
    const stored = await deposit(store, 'written first');
    await stored.committed;
    const entry = stored.entries[0]!;
    expect(await store.ack(entry.tag, entry.seq)).toBe(false);
    expect(entry.elided).toBeUndefined();
    expect(store.usage.envelopes).toBe(0);
    await store.close();
    opened.pop();
    const again = await openStore(dir);
    expect(again.store.usage.envelopes).toBe(0);
    expect(await again.store.list(stored.tag, 10, () => false)).toEqual([]);
  });

  it('settles a deposit whose every entry was acknowledged without waiting for a commit', async () => {
    const { store } = await openStore();
    const bob = generateIdentity();
    const carol = generateIdentity();
    const envelope = seal('to two', { from: generateIdentity(), to: [bob.card, carol.card] });
    const outline = inspect(envelope);
    const result = await store.deposit({ envelope, tags: outline.routingTags, id: outline.id, keepUntil: outline.expires.getTime() });
    if (result.outcome !== 'stored') throw new Error('not stored');
    expect(result.entries).toHaveLength(2);
    for (const entry of result.entries) expect(await store.ack(entry.tag, entry.seq)).toBe(true);
    await result.committed;
    expect(store.usage.envelopes).toBe(0);
    for (const tag of outline.routingTags) expect(await store.list(tag, 10, () => false)).toEqual([]);
  });
});

describe('relay mailboxes: write-behind for an entry pushed to its connected recipient', () => {
  it('never writes a held entry acknowledged within the hold, and settles its deposit with the ack, before any commit', async () => {
    const { store, dir } = await openStore();
    const held = await deposit(store, 'pushed, then acknowledged');
    const entry = held.entries[0]!;
    expect(store.hold(entry, 10_000)).toBe(true);
    let settled = false;
    void held.committed.then(() => (settled = true));
    // Past the batch it was queued in: still not durable here, nor acknowledged.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(settled).toBe(false);
    expect(await store.list(held.tag, 10, () => false)).toEqual([]);
    expect(await store.ack(entry.tag, entry.seq)).toBe(true);
    await held.committed;
    expect(entry.elided).toBe(true);
    expect(store.usage.envelopes).toBe(0);
    await store.close();
    opened.pop();
    const again = await openStore(dir);
    expect(again.store.usage.envelopes).toBe(0);
  });

  it('writes a held entry once the hold ends without an ack: durable then, and there after a restart', async () => {
    const { store, dir } = await openStore();
    const held = await deposit(store, 'pushed, never acknowledged');
    const entry = held.entries[0]!;
    expect(store.hold(entry, 40)).toBe(true);
    const started = Date.now();
    await held.committed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect((await store.list(held.tag, 10, () => false)).map((each) => each.seq)).toEqual([entry.seq]);
    // Its write has started: an ack now removes it durably instead.
    expect(store.hold(entry, 40)).toBe(false);
    await store.close();
    opened.pop();
    const again = await openStore(dir);
    expect((await again.store.list(held.tag, 10, () => false)).map((each) => each.seq)).toEqual([entry.seq]);
  });

  it('holds nothing whose batch has started', async () => {
    const { store } = await openStore();
    const written = await deposit(store, 'written at once');
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.hold(written.entries[0]!, 1000)).toBe(false);
    await written.committed;
  });
});

describe('relay mailboxes: one row an entry, indexes in memory', () => {
  it('opens a format 1 store (three rows an entry) and keeps its mail', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'herald-mailboxes-v1-'));
    const bob = generateIdentity();
    const envelope = seal('written by format 1', { from: generateIdentity(), to: bob.card });
    const outline = inspect(envelope);
    const tag = outline.routingTags[0]!;
    const keepUntil = outline.expires.getTime();
    const hash = Buffer.from(sodium.crypto_generichash(16, envelope, null)).toString('hex');
    // A format 1 store as that version wrote it: mail row with the same header, plus expiry and dedup rows.
    const env = openLmdb({ path: dir, maxDbs: 8 });
    const row = Buffer.alloc(40 + envelope.length);
    row.writeDoubleBE(keepUntil, 0);
    row.write(outline.id, 8, 16, 'hex');
    row.write(hash, 24, 16, 'hex');
    row.set(envelope, 40);
    await env.openDB('mail', { encoding: 'binary' }).put([tag, 7], row);
    await env.openDB('expiry', {}).put([keepUntil, tag, 7], envelope.length);
    await env.openDB('dedup', {}).put([tag, outline.id, hash], 7);
    const meta = env.openDB('meta', {});
    await meta.put('format', 1);
    await meta.put('relayId', Buffer.alloc(16, 9));
    await env.close();

    const { store } = await openStore(dir);
    expect(Buffer.from(store.relayId)).toEqual(Buffer.alloc(16, 9));
    expect(store.usage.envelopes).toBe(1);
    const listed = await store.list(tag, 10, () => false);
    expect(listed.map((entry) => entry.seq)).toEqual([7]);
    expect(Buffer.from(listed[0]!.bytes)).toEqual(Buffer.from(envelope));
    expect((await store.deposit({ envelope, tags: outline.routingTags, id: outline.id, keepUntil })).outcome).toBe('duplicate');
    await store.close();
    opened.pop();
    const check = openLmdb({ path: dir, maxDbs: 8, readOnly: true });
    expect(check.openDB('meta', {}).get('format')).toBe(2);
    await check.close();
    await rm(dir, { recursive: true, force: true });
  });
});

describe('turnBatch', () => {
  it('commits what was added while no commit ran in one batch, and what came during a commit in the next', async () => {
    const batches: number[] = [];
    let release: () => void = () => undefined;
    const pending: number[] = [];
    const batch = turnBatch(async (apply) => {
      apply();
      batches.push(pending.splice(0).length);
      await new Promise<void>((resolve) => (release = resolve));
    });
    const add = (): Promise<void> => batch.add(() => void pending.push(1)).durable;
    const first = [add(), add(), add()];
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([3]);
    const second = [add(), add()];
    await new Promise((resolve) => setImmediate(resolve));
    // The first commit still runs: nothing new started.
    expect(batches).toEqual([3]);
    release();
    await Promise.all(first);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([3, 2]);
    release();
    await Promise.all(second);
  });

  it('takes back a write only while its batch waits, and resolves an emptied batch without a commit', async () => {
    let commits = 0;
    const batch = turnBatch(async (apply) => {
      commits++;
      apply();
    });
    const written: string[] = [];
    const kept = batch.add(() => void written.push('kept'));
    const dropped = batch.add(() => void written.push('dropped'));
    expect(dropped.cancel()).toBe(true);
    expect(dropped.cancel()).toBe(false);
    await kept.durable;
    expect(written).toEqual(['kept']);
    expect(kept.cancel()).toBe(false);
    const alone = batch.add(() => void written.push('alone'));
    expect(alone.cancel()).toBe(true);
    await alone.durable;
    expect(commits).toBe(1);
  });

  it('fails a batch whose commit throws at once (a closed store) instead of throwing from its timer', async () => {
    const batch = turnBatch(() => {
      throw new Error('Database is closed');
    });
    await expect(batch.add(() => undefined).durable).rejects.toThrow('Database is closed');
  });
});
