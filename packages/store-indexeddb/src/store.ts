import { CapacityError, type ContactPrekeys, type HeraldStore, type InboxRecord, type OutboxRecord } from '@herald/core';
import { openDatabase, transact, type StoreName, type Work } from './database.js';
import { resolveInit, type IndexedDbStoreInit } from './init.js';
import { compactBytes } from './compact.js';
import { holdTabLock, requestPersistentStorage } from './tab-lock.js';

interface SeenEntry {
  readonly id: string;
  readonly expiresAt: number;
}

const byAge =
  <T extends { id: string }>(time: (item: T) => number) =>
  (a: T, b: T): number =>
    time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The node's durable store in a web page, on IndexedDB: the same contract as
 * `lmdbStore` (packages/store-lmdb) and the same test suite. Every change is one
 * transaction committed with strict durability before its promise resolves, so
 * what the node reports accepted is on disk, and it survives a reload or a crash
 * of the tab. Records are stored as structured clones (bytes as Uint8Array).
 *
 * Bounds are checked inside the inserting transaction (IndexedDB's count), so they
 * hold with several tabs writing too. One tab runs the node, as one process owns an
 * LMDB store (the node keeps in-memory state beside its store): the store holds the
 * database's Web Lock while open (`exclusive`), and a second one is refused STORE_IN_USE.
 */
export async function indexedDbStore(init: IndexedDbStoreInit = {}): Promise<HeraldStore> {
  const options = resolveInit(init);
  const release = options.exclusive ? await holdTabLock(options.name, options.locks) : () => undefined;
  let db: IDBDatabase;
  try {
    db = await openDatabase(options.indexedDB, options.name);
  } catch (error) {
    release();
    throw error;
  }
  // Best effort, not awaited: a browser may ask the user, and the store works either way.
  if (options.persist) void requestPersistentStorage();
  let closed = false;
  const running = new Set<Promise<unknown>>();

  function run<T>(stores: readonly StoreName[], mode: IDBTransactionMode, doing: string, body: (work: Work) => () => T): Promise<T> {
    if (closed) return Promise.reject(new Error('store is closed'));
    const done = transact(db, stores, mode, doing, body);
    running.add(done);
    const forget = (): void => void running.delete(done);
    done.then(forget, forget);
    return done;
  }

  const read = <T>(store: StoreName, request: (objects: IDBObjectStore) => IDBRequest<T>, doing: string): Promise<T> =>
    run([store], 'readonly', doing, ({ tx, on }) => {
      let value: T;
      on(request(tx.objectStore(store)), (result) => (value = result));
      return () => value;
    });

  /** `id` may be anything the caller passes: IndexedDB refuses some keys, and those are never stored. */
  const validKey = (id: unknown): id is string => typeof id === 'string';

  return {
    putOutbox(record: OutboxRecord) {
      if (typeof record?.id !== 'string' || record.id === '') return Promise.reject(new TypeError('putOutbox: record.id must be a non-empty string'));
      return run(['outbox'], 'readwrite', 'putOutbox', ({ tx, on, fail }) => {
        const outbox = tx.objectStore('outbox');
        on(outbox.getKey(record.id), (existing) => {
          if (existing !== undefined) return void outbox.put(compactBytes(record));
          on(outbox.count(), (size) => {
            if (size >= options.maxOutbox) return fail(new CapacityError(`outbox is full: ${options.maxOutbox} records (maxOutbox)`));
            outbox.put(compactBytes(record));
          });
        });
        return () => undefined;
      });
    },
    async getOutbox(id) {
      if (!validKey(id)) return closed ? Promise.reject(new Error('store is closed')) : undefined;
      return read<OutboxRecord | undefined>('outbox', (outbox) => outbox.get(id), 'getOutbox');
    },
    async listOutbox() {
      const records = await read<OutboxRecord[]>('outbox', (outbox) => outbox.getAll(), 'listOutbox');
      return records.sort(byAge((record) => record.createdAt));
    },
    deleteOutbox(id) {
      return run(['outbox'], 'readwrite', 'deleteOutbox', ({ tx }) => {
        if (validKey(id)) tx.objectStore('outbox').delete(id);
        return () => undefined;
      });
    },
    receive(record: InboxRecord) {
      if (typeof record?.id !== 'string' || record.id === '') return Promise.reject(new TypeError('receive: record.id must be a non-empty string'));
      return run(['seen', 'inbox'], 'readwrite', 'receive', ({ tx, on, fail }) => {
        const seen = tx.objectStore('seen');
        const inbox = tx.objectStore('inbox');
        let stored = false;
        on(seen.getKey(record.id), (existing) => {
          if (existing !== undefined) return;
          on(inbox.count(), (inboxSize) => {
            if (inboxSize >= options.maxInbox) return fail(new CapacityError(`inbox is full: ${options.maxInbox} records (maxInbox)`));
            on(seen.count(), (seenSize) => {
              if (seenSize >= options.maxSeen) return fail(new CapacityError(`seen-set is full: ${options.maxSeen} ids (maxSeen)`));
              seen.put({ id: record.id, expiresAt: record.expiresAt } satisfies SeenEntry);
              inbox.put(compactBytes(record));
              stored = true;
            });
          });
        });
        return () => stored;
      });
    },
    markSeen(id, expiresAt) {
      if (typeof id !== 'string' || id === '') return Promise.reject(new TypeError('markSeen: id must be a non-empty string'));
      return run(['seen'], 'readwrite', 'markSeen', ({ tx, on, fail }) => {
        const seen = tx.objectStore('seen');
        let added = false;
        on(seen.getKey(id), (existing) => {
          if (existing !== undefined) return;
          on(seen.count(), (size) => {
            if (size >= options.maxSeen) return fail(new CapacityError(`seen-set is full: ${options.maxSeen} ids (maxSeen)`));
            seen.put({ id, expiresAt } satisfies SeenEntry);
            added = true;
          });
        });
        return () => added;
      });
    },
    async listInbox() {
      const records = await read<InboxRecord[]>('inbox', (inbox) => inbox.getAll(), 'listInbox');
      return records.sort(byAge((record) => record.receivedAt));
    },
    removeInbox(id) {
      return run(['inbox'], 'readwrite', 'removeInbox', ({ tx }) => {
        if (validKey(id)) tx.objectStore('inbox').delete(id);
        return () => undefined;
      });
    },
    pruneSeen(now) {
      return run(['seen', 'inbox'], 'readwrite', 'pruneSeen', ({ tx, on }) => {
        let removed = 0;
        on(tx.objectStore('inbox').getAllKeys(), (inboxKeys) => {
          const inInbox = new Set(inboxKeys);
          const cursor = tx.objectStore('seen').index('expiresAt').openCursor(IDBKeyRange.upperBound(now, true));
          on(cursor, (position) => {
            if (!position) return;
            if (!inInbox.has(position.primaryKey)) {
              position.delete();
              removed++;
            }
            position.continue();
          });
        });
        return () => removed;
      });
    },
    async getContactPrekeys(contact) {
      if (!validKey(contact)) return closed ? Promise.reject(new Error('store is closed')) : undefined;
      return read<ContactPrekeys | undefined>('contact-prekeys', (objects) => objects.get(contact), 'getContactPrekeys');
    },
    putContactPrekeys(record) {
      return run(['contact-prekeys'], 'readwrite', 'putContactPrekeys', ({ tx }) => {
        tx.objectStore('contact-prekeys').put(compactBytes(record));
        return () => undefined;
      });
    },
    updateContactPrekeys(contact, change) {
      return run(['contact-prekeys'], 'readwrite', 'updateContactPrekeys', ({ tx, on }) => {
        const objects = tx.objectStore('contact-prekeys');
        let now: ContactPrekeys | undefined;
        on(objects.get(contact) as IDBRequest<ContactPrekeys | undefined>, (current) => {
          const next = change(current);
          now = next ?? current;
          if (next !== undefined) objects.put(compactBytes(next));
        });
        return () => now;
      });
    },
    deleteContactPrekeys(contact) {
      return run(['contact-prekeys'], 'readwrite', 'deleteContactPrekeys', ({ tx }) => {
        if (validKey(contact)) tx.objectStore('contact-prekeys').delete(contact);
        return () => undefined;
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      // Writes already issued finish (and stay stored) before the connection goes.
      await Promise.allSettled([...running]);
      db.close();
      release();
    },
  };
}
