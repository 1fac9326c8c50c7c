import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateIdentity, inspect, seal, toHex, type Identity } from '@herald/core';
import { openMailboxes, type MailboxLimits, type MailboxStore } from '../src/index.js';

/** Mailboxes nobody ever collected: a smaller quota and a shorter retention, remembered across restarts. */
const DAY_MS = 86_400_000;
const LIMITS: MailboxLimits = {
  mailboxMaxEnvelopes: 50,
  mailboxMaxBytes: 1 << 24,
  maxStoredBytes: 1 << 26,
  maxStoredEnvelopes: 1000,
  uncollectedMailboxMaxEnvelopes: 3,
  uncollectedMailboxMaxBytes: 1 << 20,
  uncollectedRetentionSeconds: 86_400,
};
const dirs: string[] = [];
const stores: MailboxStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function open(dir?: string): Promise<{ store: MailboxStore; dir: string }> {
  const path = dir ?? (await mkdtemp(join(tmpdir(), 'herald-uncollected-')));
  if (!dir) dirs.push(path);
  const store = await openMailboxes(path, 1 << 28, LIMITS);
  stores.push(store);
  return { store, dir: path };
}

/** Deposits one envelope to `to`, kept for 30 days; returns the outcome's name. */
function deposit(store: MailboxStore, to: Identity, charged?: { charge(size: number): void; release(size: number): void }): string {
  const envelope = seal('hello', { from: generateIdentity(), to: to.card, ttl: 30 * 86_400 });
  const outline = inspect(envelope);
  const payer = charged && { ...charged, refusal: () => undefined, leave: () => undefined };
  return store.deposit(envelope, outline.routingTags, outline.id, Date.now() + 30 * DAY_MS, payer).outcome;
}

const tagOf = (identity: Identity): string => toHex(identity.card.routingTag);

describe('mailboxes never collected', () => {
  it('take a new contact’s first messages within a smaller quota; once collected, the full one', async () => {
    const { store } = await open();
    const bob = generateIdentity();
    for (let index = 0; index < 3; index++) expect(deposit(store, bob)).toBe('stored');
    expect(deposit(store, bob)).toBe('mailbox-full');
    let failed: unknown;
    store.collected.mark([tagOf(bob)], (error) => (failed = error));
    expect(store.collected.has(tagOf(bob))).toBe(true);
    for (let index = 0; index < 10; index++) expect(deposit(store, bob)).toBe('stored');
    expect(failed).toBeUndefined();
  });

  it('keep mail for a mailbox never collected only uncollectedRetentionSeconds; a collected one keeps it longer', async () => {
    const { store } = await open();
    const stranger = generateIdentity();
    const known = generateIdentity();
    store.collected.mark([tagOf(known)], () => undefined);
    expect(deposit(store, stranger)).toBe('stored');
    expect(deposit(store, known)).toBe('stored');
    // Let the writes commit (purge leaves entries still being written to the next round).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await store.purge(Date.now() + DAY_MS + 60_000, 100)).toBe(1);
    expect(store.list(tagOf(stranger), 10, () => false)).toEqual([]);
    expect(store.list(tagOf(known), 10, () => false)).toHaveLength(1);
    expect(await store.purge(Date.now() + 30 * DAY_MS + 60_000, 100)).toBe(1);
  });

  it('remember which mailboxes were collected across a restart', async () => {
    const { store, dir } = await open();
    const bob = generateIdentity();
    store.collected.mark([tagOf(bob)], () => undefined);
    await store.close();
    stores.pop();
    const again = await open(dir);
    expect(again.store.collected.has(tagOf(bob))).toBe(true);
    expect(again.store.collected.has(tagOf(generateIdentity()))).toBe(false);
  });

  it('charge each stored entry to its payer while it is held, and release it when it is gone', async () => {
    const { store } = await open();
    let held = 0;
    const payer = { charge: (size: number) => void (held += size), release: (size: number) => void (held -= size) };
    const bob = generateIdentity();
    expect(deposit(store, bob, payer)).toBe('stored');
    expect(held).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [entry] = store.list(tagOf(bob), 10, () => false);
    await store.remove(entry!.tag, entry!.seq);
    expect(held).toBe(0);
  });
});
