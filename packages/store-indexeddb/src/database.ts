import { HeraldError, StoreFullError } from '@herald/core';

/** Schema version: bumped only with a migration in `upgrade`. */
const SCHEMA_VERSION = 1;
export const STORES = ['outbox', 'inbox', 'seen', 'contact-prekeys', 'prekey-secrets', 'keys', 'contacts'] as const;
export type StoreName = (typeof STORES)[number];

/** Opens (creating on first use) a Herald database; refuses one of another shape rather than guessing. */
export function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, SCHEMA_VERSION);
    request.onupgradeneeded = (event) => {
      if (event.oldVersion !== 0) return; // No migrations yet: version 1 is the first.
      const db = request.result;
      db.createObjectStore('outbox', { keyPath: 'id' });
      db.createObjectStore('inbox', { keyPath: 'id' });
      db.createObjectStore('seen', { keyPath: 'id' }).createIndex('expiresAt', 'expiresAt');
      db.createObjectStore('contact-prekeys', { keyPath: 'contact' });
      db.createObjectStore('prekey-secrets');
      db.createObjectStore('keys');
      db.createObjectStore('contacts', { keyPath: 'fingerprint' });
    };
    request.onerror = () => reject(storageError(request.error, `opening IndexedDB database ${JSON.stringify(name)}`));
    request.onblocked = () => reject(new Error(`IndexedDB database ${JSON.stringify(name)} is held open at an older version by another tab`));
    request.onsuccess = () => {
      const db = request.result;
      const missing = STORES.filter((store) => !db.objectStoreNames.contains(store));
      if (missing.length > 0) {
        db.close();
        return reject(new Error(`IndexedDB database ${JSON.stringify(name)} is not a Herald store (no ${missing.join(', ')})`));
      }
      // Another tab upgrading the schema: step aside rather than block it.
      db.onversionchange = () => db.close();
      resolve(db);
    };
  });
}

/** Quota exhaustion is STORE_FULL, as a full disk is for the LMDB store; anything else keeps its own words. */
export function storageError(error: DOMException | null, doing: string): Error {
  if (error?.name === 'QuotaExceededError') return new StoreFullError(`${doing}: the page's storage quota is exhausted`, { cause: error });
  return new Error(`${doing}: ${error?.message ?? 'IndexedDB failed'}`, { cause: error });
}

/** The transaction being built: `fail` aborts it with a typed error, which the caller then receives. */
export interface Work {
  readonly tx: IDBTransaction;
  /** Calls `then` with the request's result; an exception from `then` aborts the transaction. */
  on<T>(request: IDBRequest<T>, then: (value: T) => void): void;
  fail(error: Error): void;
}

/**
 * Runs one transaction with strict durability (Chromium flushes it to disk before
 * `complete`) and resolves with `body`'s result only once it is committed: a write
 * that resolved is stored. Transactions over the same stores run one at a time,
 * across the page's tabs too, which is what makes receive and updateContactPrekeys atomic.
 */
export function transact<T>(db: IDBDatabase, stores: readonly StoreName[], mode: IDBTransactionMode, doing: string, body: (work: Work) => () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction([...stores], mode, { durability: 'strict' });
    let failure: Error | undefined;
    const fail = (error: Error): void => {
      failure ??= error;
      try {
        tx.abort();
      } catch {
        // Already finished or aborting.
      }
    };
    const work: Work = {
      tx,
      fail,
      on(request, then) {
        request.onsuccess = () => {
          try {
            then(request.result);
          } catch (error) {
            fail(error instanceof Error ? error : new Error(String(error)));
          }
        };
      },
    };
    let result: () => T = () => undefined as T;
    tx.oncomplete = () => resolve(result());
    tx.onabort = () => reject(failure ?? storageError(tx.error, doing));
    try {
      result = body(work);
    } catch (error) {
      fail(error instanceof HeraldError || error instanceof Error ? error : new Error(String(error)));
    }
  });
}
