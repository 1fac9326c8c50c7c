import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateIdentity, inspect, seal } from '@herald/core';
import { openMailboxes, type MailboxLimits, type MailboxStore } from '../src/index.js';
import { open as openLmdb } from 'lmdb';
import { sodium } from '../src/sodium.js';
import { turnBatch } from '../src/store/turn-batch.js';

const LIMITS = { mailboxMaxEnvelopes: 1000, mailboxMaxBytes: 1 << 24, maxStoredBytes: 1 << 26, maxStoredEnvelopes: 100 };
const opened: { store: MailboxStore; dir: string }[] = [];

async function openStore(dir?: string, limits: MailboxLimits = LIMITS): Promise<{ store: MailboxStore; dir: string }> {
  const path = dir ?? (await mkdtemp(join(tmpdir(), 'herald-mailboxes-')));
  const store = await openMailboxes(path, 1 << 28, limits);
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

function deposit(store: MailboxStore, text: string, to = generateIdentity(), keepUntil?: number) {
  const envelope = seal(text, { from: generateIdentity(), to: to.card });
  const outline = inspect(envelope);
  const result = store.deposit(envelope, outline.routingTags, outline.id, keepUntil ?? outline.expires.getTime());
  if (result.outcome !== 'stored') throw new Error(`not stored: ${result.outcome}`);
  return { ...result, tag: outline.routingTags[0]! };
}

describe('relay mailboxes: group commit and entries acknowledged before they are written', () => {
  it('never writes an entry its recipient acknowledged while its write was still queued, and still settles the deposit', async () => {
    const { store, dir } = await openStore();
    const first = deposit(store, 'kept');
    const second = deposit(store, 'acknowledged at once');
    const entry = second.entries[0]!;
    // Same turn as the deposit: its batch has not started.
    expect(await store.remove(entry.tag, entry.seq)).toBe(true);
    expect(entry.elided).toBe(true);
    await Promise.all([first.committed, second.committed]);
    expect(store.list(second.tag, 10, () => false)).toEqual([]);
    expect(store.list(first.tag, 10, () => false).map((each) => each.seq)).toEqual([first.entries[0]!.seq]);
    expect(store.counts.envelopes).toBe(1);
    await store.close();
    opened.pop();
    // After a restart only what was written is there.
    const again = await openStore(dir);
    expect(again.store.counts.envelopes).toBe(1);
    expect(again.store.list(first.tag, 10, () => false)).toHaveLength(1);
  });

  it('removes durably an entry acknowledged once its write has started', async () => {
    const { store, dir } = await openStore();
    const stored = deposit(store, 'written first');
    await stored.committed;
    const entry = stored.entries[0]!;
    expect(await store.remove(entry.tag, entry.seq)).toBe(false);
    expect(entry.elided).toBeUndefined();
    expect(store.counts.envelopes).toBe(0);
    await store.close();
    opened.pop();
    const again = await openStore(dir);
    expect(again.store.counts.envelopes).toBe(0);
    expect(again.store.list(stored.tag, 10, () => false)).toEqual([]);
  });

  it('settles a deposit whose every entry was acknowledged without waiting for a commit', async () => {
    const { store } = await openStore();
    const bob = generateIdentity();
    const carol = generateIdentity();
    const envelope = seal('to two', { from: generateIdentity(), to: [bob.card, carol.card] });
    const outline = inspect(envelope);
    const result = store.deposit(envelope, outline.routingTags, outline.id, outline.expires.getTime());
    if (result.outcome !== 'stored') throw new Error('not stored');
    expect(result.entries).toHaveLength(2);
    for (const entry of result.entries) expect(await store.remove(entry.tag, entry.seq)).toBe(true);
    await result.committed;
    expect(store.counts.envelopes).toBe(0);
    for (const tag of outline.routingTags) expect(store.list(tag, 10, () => false)).toEqual([]);
  });
});

describe('relay mailboxes: write-behind for an entry pushed to its connected recipient', () => {
  it('never writes a held entry acknowledged within the hold, and settles its deposit with the ack, before any commit', async () => {
    const { store, dir } = await openStore();
    const held = deposit(store, 'pushed, then acknowledged');
    const entry = held.entries[0]!;
    expect(store.hold(entry, 10_000)).toBe(true);
    let settled = false;
    void held.committed.then(() => (settled = true));
    // Past the batch it was queued in: still not durable here, nor acknowledged.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(settled).toBe(false);
    expect(store.list(held.tag, 10, () => false)).toEqual([]);
    expect(await store.remove(entry.tag, entry.seq)).toBe(true);
    await held.committed;
    expect(entry.elided).toBe(true);
    expect(store.counts.envelopes).toBe(0);
    await store.close();
    opened.pop();
    const again = await openStore(dir);
    expect(again.store.counts.envelopes).toBe(0);
  });

  it('writes a held entry once the hold ends without an ack: durable then, and there after a restart', async () => {
    const { store, dir } = await openStore();
    const held = deposit(store, 'pushed, never acknowledged');
    const entry = held.entries[0]!;
    expect(store.hold(entry, 40)).toBe(true);
    const started = Date.now();
    await held.committed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(store.list(held.tag, 10, () => false).map((each) => each.seq)).toEqual([entry.seq]);
    // Its write has started: an ack now removes it durably instead.
    expect(store.hold(entry, 40)).toBe(false);
    await store.close();
    opened.pop();
    const again = await openStore(dir);
    expect(again.store.list(held.tag, 10, () => false).map((each) => each.seq)).toEqual([entry.seq]);
  });

  it('holds nothing whose batch has started', async () => {
    const { store } = await openStore();
    const written = deposit(store, 'written at once');
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.hold(written.entries[0]!, 1000)).toBe(false);
    await written.committed;
  });
});

describe('relay mailboxes: one row an entry, indexes in memory', () => {
  it('after a restart still knows what it holds: duplicates, sizes, retention order', async () => {
    const { store, dir } = await openStore();
    const bob = generateIdentity();
    const envelope = seal('once only', { from: generateIdentity(), to: bob.card });
    const outline = inspect(envelope);
    const first = store.deposit(envelope, outline.routingTags, outline.id, outline.expires.getTime());
    if (first.outcome !== 'stored') throw new Error('not stored');
    await first.committed;
    const soon = deposit(store, 'falls due first', bob, Date.now() + 1000);
    await soon.committed;
    await store.close();
    opened.pop();
    const { store: again } = await openStore(dir);
    expect(again.counts.envelopes).toBe(2);
    expect(again.counts.bytes).toBe(envelope.length + soon.entries[0]!.bytes.length);
    // The same bytes again are a duplicate: known from the rows alone.
    expect(again.deposit(envelope, outline.routingTags, outline.id, outline.expires.getTime()).outcome).toBe('duplicate');
    expect(await again.purge(Date.now(), 10)).toBe(0);
    expect(await again.purge(Date.now() + 2000, 10)).toBe(1);
    expect(again.list(outline.routingTags[0]!, 10, () => false).map((entry) => entry.seq)).toEqual([first.entries[0]!.seq]);
    // Removed for good: the same bytes are new again, and the seq keeps growing past what was stored.
    expect(await again.remove(outline.routingTags[0]!, first.entries[0]!.seq)).toBe(false);
    const back = again.deposit(envelope, outline.routingTags, outline.id, outline.expires.getTime());
    if (back.outcome !== 'stored') throw new Error(`not stored again: ${back.outcome}`);
    expect(back.entries[0]!.seq).toBeGreaterThan(soon.entries[0]!.seq);
    await back.committed;
  });

  it('keeps two different envelopes under one message id, and knows each one’s bytes again, queued, written and after a restart', async () => {
    const { store, dir } = await openStore();
    const bob = generateIdentity();
    const envelope = seal('the real one', { from: generateIdentity(), to: bob.card });
    const outline = inspect(envelope);
    // Another recipient (or anyone who saw it) deposits different bytes under the same id: one ciphertext byte changed.
    const forged = envelope.slice();
    forged[forged.length - 1]! ^= 1;
    expect(inspect(forged).id).toBe(outline.id);
    const put = (bytes: Uint8Array) => store.deposit(bytes, outline.routingTags, outline.id, outline.expires.getTime());
    const first = put(forged);
    const second = put(envelope);
    expect([first.outcome, second.outcome]).toEqual(['stored', 'stored']);
    // Still queued: the same bytes again are duplicates of their own copy.
    expect(put(envelope).outcome).toBe('duplicate');
    expect(put(forged).outcome).toBe('duplicate');
    await Promise.all([first, second].map((result) => ('committed' in result ? result.committed : undefined)));
    // Written: known from the rows.
    expect(put(envelope).outcome).toBe('duplicate');
    await store.close();
    opened.pop();
    const { store: again } = await openStore(dir);
    expect(again.counts.envelopes).toBe(2);
    const same = (bytes: Uint8Array) => again.deposit(bytes, outline.routingTags, outline.id, outline.expires.getTime()).outcome;
    expect([same(envelope), same(forged)]).toEqual(['duplicate', 'duplicate']);
    const listed = again.list(outline.routingTags[0]!, 10, () => false).map((entry) => Buffer.from(entry.bytes));
    expect(listed).toEqual([Buffer.from(forged), Buffer.from(envelope)]);
  });

  it('files an envelope once in a mailbox even if the caller lists its tag twice (inspect refuses such headers before this)', async () => {
    const { store } = await openStore();
    const bob = generateIdentity();
    const envelope = seal('once', { from: generateIdentity(), to: bob.card });
    const outline = inspect(envelope);
    const tag = outline.routingTags[0]!;
    const result = store.deposit(envelope, [tag, tag, tag], outline.id, outline.expires.getTime());
    if (result.outcome !== 'stored') throw new Error(`not stored: ${result.outcome}`);
    await result.committed;
    expect(result.entries).toHaveLength(1);
    expect(store.list(tag, 10, () => false)).toHaveLength(1);
    expect(store.counts.envelopes).toBe(1);
  });

  it('refuses a deposit beyond maxStoredEnvelopes as relay-full', async () => {
    const { store } = await openStore(undefined, { ...LIMITS, maxStoredEnvelopes: 2 });
    await deposit(store, 'one').committed;
    await deposit(store, 'two').committed;
    const envelope = seal('three', { from: generateIdentity(), to: generateIdentity().card });
    const outline = inspect(envelope);
    expect(store.deposit(envelope, outline.routingTags, outline.id, outline.expires.getTime()).outcome).toBe('relay-full');
  });

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
    expect(store.counts.envelopes).toBe(1);
    const listed = store.list(tag, 10, () => false);
    expect(listed.map((entry) => entry.seq)).toEqual([7]);
    expect(Buffer.from(listed[0]!.bytes)).toEqual(Buffer.from(envelope));
    expect(store.deposit(envelope, outline.routingTags, outline.id, keepUntil).outcome).toBe('duplicate');
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
