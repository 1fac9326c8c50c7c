import { describe, expect, it } from 'vitest';
import { StoreInUseError } from '@herald/core';
import { requestPersistentStorage, tabLockName } from '@herald/store-indexeddb';
import { holdTabLock } from '../src/tab-lock.js';
import { resolveInit } from '../src/init.js';

/** A LockManager that grants each name to one holder at a time (what `ifAvailable` asks of the browser's). */
function fakeLocks(): LockManager & { held: Set<string> } {
  const held = new Set<string>();
  return {
    held,
    async request(name: string, options: LockOptions, callback: (lock: Lock | null) => unknown) {
      expect(options).toMatchObject({ mode: 'exclusive', ifAvailable: true });
      if (held.has(name)) return callback(null);
      held.add(name);
      try {
        return await callback({ name, mode: 'exclusive' });
      } finally {
        held.delete(name);
      }
    },
    query: async () => ({}),
  } as unknown as LockManager & { held: Set<string> };
}

describe('the tab lock of an IndexedDB store', () => {
  it('is held until released, and refuses a second holder with STORE_IN_USE meanwhile', async () => {
    const locks = fakeLocks();
    const release = await holdTabLock('herald', locks);
    expect(locks.held.has(tabLockName('herald'))).toBe(true);
    const refused = await holdTabLock('herald', locks).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StoreInUseError);
    expect(refused).toMatchObject({ code: 'STORE_IN_USE', retryable: false });
    // Another database is another lock.
    const other = await holdTabLock('other', locks);
    release();
    await new Promise((done) => setTimeout(done, 0));
    expect(locks.held.has(tabLockName('herald'))).toBe(false);
    (await holdTabLock('herald', locks))();
    other();
  });

  it('guards nothing where the page has no Web Locks', async () => {
    const release = await holdTabLock('herald', undefined);
    expect(typeof release).toBe('function');
  });

  it('options: exclusive and persist default to true, and are checked', () => {
    const indexedDB = { open: () => undefined } as unknown as IDBFactory;
    expect(resolveInit({ indexedDB })).toMatchObject({ exclusive: true, persist: true });
    expect(resolveInit({ indexedDB, exclusive: false, persist: false })).toMatchObject({ exclusive: false, persist: false });
    expect(() => resolveInit({ indexedDB, exclusive: 'yes' as never })).toThrow('exclusive: expected true or false, got "yes"');
    expect(() => resolveInit({ indexedDB, locks: {} as never })).toThrow('locks: expected a LockManager (navigator.locks)');
  });
});

describe('requestPersistentStorage', () => {
  it("returns the browser's answer, and false when it cannot ask", async () => {
    expect(await requestPersistentStorage({ persist: async () => true } as unknown as StorageManager)).toBe(true);
    expect(await requestPersistentStorage({ persist: async () => false } as unknown as StorageManager)).toBe(false);
    expect(await requestPersistentStorage({ persist: () => Promise.reject(new Error('denied')) } as unknown as StorageManager)).toBe(false);
    expect(await requestPersistentStorage(undefined)).toBe(false);
  });
});
