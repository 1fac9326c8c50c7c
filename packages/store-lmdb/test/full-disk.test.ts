import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreFullError, type OutboxRecord } from '@herald/core';
import { lmdbStore } from '@herald/store-lmdb';
import { bytes, inboxRecord, outboxRecord } from './helpers.js';

/**
 * The store on a 4 MiB tmpfs (root and mount needed; skipped otherwise). Near a full disk a new record is refused
 * with STORE_FULL and nothing of it is stored; everything stored before stays readable, updatable and removable,
 * writes work again once there is room, and nothing committed is lost across a reopen.
 */
let mountPoint: string | undefined;
beforeAll(async () => {
  const candidate = await mkdtemp(join(tmpdir(), 'herald-store-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', candidate], { stdio: 'ignore' });
    mountPoint = candidate;
  } catch {
    await rm(candidate, { recursive: true, force: true });
  }
});
afterAll(async () => {
  if (!mountPoint) return;
  // Lazy: a failed test may leave its store open.
  execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
  await rm(mountPoint, { recursive: true, force: true });
});

const MIN_FREE = 1024 * 1024;

const big = (id: string): OutboxRecord => outboxRecord(id, { envelope: bytes(100 * 1024, id.length) });

describe('lmdbStore on a full disk (4 MiB tmpfs; needs root and mount)', () => {
  it('refuses with STORE_FULL, keeps what it holds readable and removable, and takes writes again once there is room', async (context) => {
    if (!mountPoint) return context.skip('cannot mount a tmpfs here (needs root)');
    const path = join(mountPoint, 'store');
    // Room held back so that freeing it later is "the user freed disk space".
    const filler = join(mountPoint, 'filler');
    await writeFile(filler, new Uint8Array(1024 * 1024));
    const init = { path, minFreeBytes: MIN_FREE };
    let store = await lmdbStore(init);
    await store.receive(inboxRecord('in-1'));
    const stored: string[] = [];
    const fill = async (prefix: string): Promise<unknown> => {
      for (let index = 0; index < 100; index++) {
        const id = `${prefix}${index}`;
        const refused = await store.putOutbox(big(id)).then(() => stored.push(id) && undefined, (error: unknown) => error);
        if (refused !== undefined) return refused;
      }
      return undefined;
    };
    const refusal = await fill('m');
    expect(refusal).toBeInstanceOf(StoreFullError);
    // Refused before LMDB met the full disk (lmdb-js 3.5.6 corrupts its heap when it does): minFreeBytes were left.
    expect(refusal).toMatchObject({ code: 'STORE_FULL', retryable: false, message: expect.stringMatching(/disk is full.*minFreeBytes/) });
    expect((await statfs(mountPoint)).bavail * (await statfs(mountPoint)).bsize).toBeGreaterThanOrEqual(MIN_FREE - 200 * 1024);
    expect(stored.length).toBeGreaterThan(5);
    // Nothing of the refused write is there, and the outbox bookkeeping agrees with the disk.
    expect(await store.getOutbox(`m${stored.length}`)).toBeUndefined();
    expect(store.counts().outbox).toBe(stored.length);
    // New messages, sent or received, are refused at once, typed; a duplicate of one held is still recognised.
    await expect(store.putOutbox(big('refused'))).rejects.toMatchObject({ code: 'STORE_FULL' });
    await expect(store.receive(inboxRecord('in-2', { envelope: bytes(100 * 1024, 3) }))).rejects.toMatchObject({ code: 'STORE_FULL' });
    expect(await store.receive(inboxRecord('in-1'))).toBe(false);

    // Everything stored before stays readable, and can still be updated (the node records each send) in the room left free.
    expect((await store.listOutbox()).map((record) => record.id).sort()).toEqual([...stored].sort());
    expect((await store.listInbox()).map((record) => record.id)).toEqual(['in-1']);
    for (const id of stored.slice(0, 3)) await store.putOutbox({ ...(await store.getOutbox(id))!, status: 'accepted', updatedAt: 2_000 });
    expect((await store.getOutbox(stored[0]!))?.status).toBe('accepted');

    // The user frees disk space: new messages are stored again.
    await rm(filler);
    await store.putOutbox(big('after-freeing'));
    stored.push('after-freeing');
    // Full again; removals commit on the full disk.
    expect(await fill('n')).toBeInstanceOf(StoreFullError);
    for (const id of stored.splice(0, 4)) await store.deleteOutbox(id);
    await store.removeInbox('in-1');
    expect(await store.listInbox()).toEqual([]);

    // Nothing committed was lost.
    await store.close();
    store = await lmdbStore(init);
    try {
      expect((await store.listOutbox()).map((record) => record.id).sort()).toEqual([...stored].sort());
      expect(await store.listInbox()).toEqual([]);
      expect(store.counts().outbox).toBe(stored.length);
    } finally {
      await store.close();
    }
  });
});
