import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateIdentity, generatePrekeys, toHex } from '@herald/core';
import { open } from 'lmdb';
import { lmdbPrekeyRecordBackend, lmdbPrekeySecretStore } from '@herald/store-lmdb';
import { tempDirs } from './helpers.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());
const NOW = 1_800_000_000_000;
const alice = generateIdentity({ label: 'Alice', now: NOW });

describe('LMDB prekey secret store', () => {
  it('keeps prekeys across a reopen, in a 0700 directory of 0600 files, never in plaintext', async () => {
    const path = join(await dirs.make(), 'prekeys');
    const owned = [...generatePrekeys(alice, { now: NOW }), ...generatePrekeys(alice, { kind: 'x25519', oneTime: true, count: 2, now: NOW })];
    const store = await lmdbPrekeySecretStore({ path, identity: alice });
    for (const item of owned) await store.put(item);
    await store.close();
    expect((await stat(path)).mode & 0o777).toBe(0o700);
    for (const file of ['data.mdb', 'lock.mdb']) expect((await stat(join(path, file))).mode & 0o777).toBe(0o600);
    const file = await readFile(join(path, 'data.mdb'));
    for (const item of owned) {
      expect(file.includes(Buffer.from(item.prekey.publicKey))).toBe(true);
      expect(file.includes(Buffer.from(item.secretKey))).toBe(false);
    }
    const reopened = await lmdbPrekeySecretStore({ path, identity: alice });
    expect(reopened.list().map((prekey) => toHex(prekey.id)).sort()).toEqual(owned.map((item) => toHex(item.prekey.id)).sort());
    for (const item of owned) expect(toHex(reopened.get(item.prekey.id)?.secretKey ?? new Uint8Array())).toBe(toHex(item.secretKey));
    await reopened.close();
    const mallory = await lmdbPrekeySecretStore({ path, identity: generateIdentity() });
    expect(mallory.list()).toHaveLength(owned.length);
    expect(() => mallory.get(owned[0]!.prekey.id)).toThrow(expect.objectContaining({ code: 'BAD_PREKEY' }));
    await mallory.close();
  });

  it('deletes and prunes durably: gone after a reopen', async () => {
    const path = join(await dirs.make(), 'prekeys');
    const [short] = generatePrekeys(alice, { kind: 'x25519', now: NOW, sealForSeconds: 60, openForSeconds: 60 });
    const [long, other] = generatePrekeys(alice, { kind: 'x25519', count: 2, now: NOW });
    const store = await lmdbPrekeySecretStore({ path, identity: alice });
    for (const item of [short!, long!, other!]) await store.put(item);
    expect(await store.prune(NOW + 120_000)).toEqual([toHex(short!.prekey.id)]);
    expect(await store.delete(long!.prekey.id)).toBe(true);
    expect(await store.delete(long!.prekey.id)).toBe(false);
    await store.close();
    const reopened = await lmdbPrekeySecretStore({ path, identity: alice });
    expect(reopened.list().map((prekey) => toHex(prekey.id))).toEqual([toHex(other!.prekey.id)]);
    expect(reopened.get(short!.prekey.id)).toBeUndefined();
    await reopened.close();
  });

  it('commits the zeros over a record before it issues the removal', async () => {
    const env = open({ path: await dirs.make(), overlappingSync: false, cache: false, maxDbs: 2 });
    const records = env.openDB<Uint8Array, string>('prekey-secrets', { encoding: 'binary' });
    const backend = lmdbPrekeyRecordBackend(records, () => env.close());
    await backend.put('00112233', Uint8Array.from({ length: 300 }, (_, index) => (index % 255) + 1));
    let seenAtRemoval: Uint8Array | undefined;
    const remove = records.remove.bind(records);
    records.remove = ((id: string) => {
      // Reads see only committed data (cache off): this is what is on disk when the removal is issued.
      seenAtRemoval = records.get(id);
      return remove(id);
    }) as typeof records.remove;
    await backend.overwriteThenDelete('00112233');
    expect(seenAtRemoval).toHaveLength(300);
    expect(seenAtRemoval?.every((byte) => byte === 0)).toBe(true);
    expect(backend.get('00112233')).toBeUndefined();
    await backend.close();
  });

  it('never shows a record half-deleted: reads during a delete, and zeros left by a crash between its two writes', async () => {
    const path = join(await dirs.make(), 'prekeys');
    const [kept, doomed] = generatePrekeys(alice, { kind: 'x25519', oneTime: true, count: 2, now: NOW });
    const store = await lmdbPrekeySecretStore({ path, identity: alice });
    await store.put(kept!);
    await store.put(doomed!);
    // Readers run while the delete's zeros are committed but its removal is not.
    const deleting = store.delete(doomed!.prekey.id);
    const during: string[][] = [];
    for (let turn = 0; turn < 20; turn++) {
      during.push(store.list().map((prekey) => toHex(prekey.id)));
      expect(store.get(doomed!.prekey.id)).toBeUndefined();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await deleting;
    for (const ids of during) expect(ids).toEqual([toHex(kept!.prekey.id)]);
    await store.close();

    // A crash after the zeros, before the removal: the next run sees no such prekey and finishes the delete at its next prune.
    const env = open({ path, overlappingSync: false, maxDbs: 2 });
    const records = env.openDB<Uint8Array, string>('prekey-secrets', { encoding: 'binary' });
    await records.put(toHex(kept!.prekey.id), new Uint8Array(records.get(toHex(kept!.prekey.id))!.length));
    await env.close();
    const reopened = await lmdbPrekeySecretStore({ path, identity: alice });
    expect(reopened.list()).toEqual([]);
    expect(reopened.get(kept!.prekey.id)).toBeUndefined();
    await reopened.prune(NOW);
    await reopened.close();
    const env2 = open({ path, maxDbs: 2 });
    expect(Array.from(env2.openDB<Uint8Array, string>('prekey-secrets', { encoding: 'binary' }).getKeys())).toEqual([]);
    await env2.close();
  });

  it('refuses a path that is a file', async () => {
    const dir = await dirs.make();
    const store = await lmdbPrekeySecretStore({ path: join(dir, 'prekeys'), identity: alice });
    await store.close();
    await expect(lmdbPrekeySecretStore({ path: join(dir, 'prekeys', 'data.mdb'), identity: alice })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});
