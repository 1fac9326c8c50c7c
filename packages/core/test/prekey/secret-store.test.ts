import { describe, expect, it } from 'vitest';
import { generateIdentity, generatePrekeys, memoryPrekeyRecordBackend, prekeySecretStoreOver, toHex, type PrekeyRecordBackend } from '@herald/core';
import { expectCode } from '../helpers.js';

const NOW = 1_800_000_000_000;
const alice = generateIdentity({ label: 'Alice', now: NOW });

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).includes(Buffer.from(needle));
}

/** The memory backend, with its records in view and its writes logged in order. */
function observedBackend(): PrekeyRecordBackend & { records: Map<string, Uint8Array>; writes: string[] } {
  const records = new Map<string, Uint8Array>();
  const writes: string[] = [];
  const inner = memoryPrekeyRecordBackend(records);
  return {
    ...inner,
    records,
    writes,
    put: async (id, record) => {
      writes.push(`put ${id}`);
      await inner.put(id, record);
    },
    overwriteThenDelete: async (id) => {
      writes.push(`overwrite-then-delete ${id}`);
      await inner.overwriteThenDelete(id);
    },
  };
}

describe('prekey secret store', () => {
  it('keeps prekeys encrypted, returns them by id and lists them oldest first', async () => {
    const backend = observedBackend();
    const store = prekeySecretStoreOver(backend, alice);
    const later = generatePrekeys(alice, { kind: 'x25519', now: NOW + 5000 });
    const earlier = generatePrekeys(alice, { now: NOW, count: 2 });
    for (const owned of [...later, ...earlier]) await store.put(owned);
    expect(store.list().map((prekey) => prekey.created)).toEqual([NOW / 1000, NOW / 1000, NOW / 1000 + 5]);
    for (const owned of [...later, ...earlier]) {
      const record = backend.records.get(toHex(owned.prekey.id));
      expect(record && contains(record, owned.secretKey)).toBe(false);
      const kept = store.get(owned.prekey.id);
      expect(toHex(kept?.secretKey ?? new Uint8Array())).toBe(toHex(owned.secretKey));
      expect(kept?.prekey.openUntil).toBe(owned.prekey.openUntil);
    }
    expect(store.get(new Uint8Array(8))).toBeUndefined();
  });

  it('deletes by overwriting with zeros first, and prunes what is past openUntil', async () => {
    const backend = observedBackend();
    const store = prekeySecretStoreOver(backend, alice);
    const [short] = generatePrekeys(alice, { kind: 'x25519', now: NOW, sealForSeconds: 60, openForSeconds: 60 });
    const [long] = generatePrekeys(alice, { kind: 'x25519', now: NOW });
    await store.put(short!);
    await store.put(long!);
    const shortId = toHex(short!.prekey.id);
    expect(await store.prune(NOW + 119_000)).toEqual([]);
    expect(await store.prune(NOW + 120_000)).toEqual([shortId]);
    expect(backend.writes.at(-1)).toBe(`overwrite-then-delete ${shortId}`);
    expect(store.get(short!.prekey.id)).toBeUndefined();
    expect(await store.delete(long!.prekey.id)).toBe(true);
    expect(await store.delete(long!.prekey.id)).toBe(false);
    expect(store.list()).toEqual([]);
  });

  it('refuses a reused id, more than maxPrekeys, and records of another identity', async () => {
    const backend = observedBackend();
    const store = prekeySecretStoreOver(backend, alice, 2);
    const owned = generatePrekeys(alice, { kind: 'x25519', count: 3, now: NOW });
    await store.put(owned[0]!);
    await expectCode(store.put(owned[0]!), 'INVALID_OPTIONS');
    await store.put(owned[1]!);
    await expectCode(store.put(owned[2]!), 'CAPACITY_EXCEEDED');
    const mallory = prekeySecretStoreOver(backend, generateIdentity());
    await expectCode(() => mallory.get(owned[0]!.prekey.id), 'BAD_PREKEY');
    const altered = backend.records.get(toHex(owned[1]!.prekey.id))!;
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1;
    await expectCode(() => store.get(owned[1]!.prekey.id), 'BAD_PREKEY');
  });

  it('never shows a record while it is being deleted (zeros committed, removal not yet): list, get and prune skip it', async () => {
    const records = new Map<string, Uint8Array>();
    const inner = memoryPrekeyRecordBackend(records);
    let release = (): void => undefined;
    // As LMDB does it: the zeros are committed, and the removal is a second write that has not happened yet.
    const backend: PrekeyRecordBackend = {
      ...inner,
      overwriteThenDelete: async (id) => {
        records.get(id)?.fill(0);
        await new Promise<void>((resolve) => (release = resolve));
        records.delete(id);
      },
    };
    const store = prekeySecretStoreOver(backend, alice);
    const [first] = generatePrekeys(alice, { kind: 'x25519', oneTime: true, sealForSeconds: 60, openForSeconds: 60, now: NOW });
    const [second] = generatePrekeys(alice, { kind: 'x25519', oneTime: true, now: NOW });
    await store.put(first!);
    await store.put(second!);
    const deleting = store.delete(first!.prekey.id);
    await new Promise((resolve) => setImmediate(resolve));
    expect(records.get(toHex(first!.prekey.id))?.every((byte) => byte === 0)).toBe(true);
    expect(store.list().map((prekey) => toHex(prekey.id))).toEqual([toHex(second!.prekey.id)]);
    expect(store.get(first!.prekey.id)).toBeUndefined();
    // Past the first's openUntil only: it is being deleted already, so prune has nothing to do.
    expect(await store.prune(NOW + 200_000)).toEqual([]);
    release();
    expect(await deleting).toBe(true);
    expect(store.list()).toHaveLength(1);
  });

  it('memory backend: zeroes a deleted record in place', async () => {
    const backend = observedBackend();
    const store = prekeySecretStoreOver(backend, alice);
    const [owned] = generatePrekeys(alice, { kind: 'x25519', now: NOW });
    await store.put(owned!);
    const record = backend.records.get(toHex(owned!.prekey.id))!;
    expect(record.some((byte) => byte !== 0)).toBe(true);
    expect(await store.delete(owned!.prekey.id)).toBe(true);
    expect(record.every((byte) => byte === 0)).toBe(true);
    expect(store.get(owned!.prekey.id)).toBeUndefined();
    await store.close();
  });
});
