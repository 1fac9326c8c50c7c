import { OptionsError, prekeySecretStoreOver, type Identity, type PrekeyRecordBackend, type PrekeySecretStore } from '@herald/core';
import { openDatabase, transact } from './database.js';
import { databaseName, factory } from './init.js';

export interface IndexedDbPrekeySecretStoreInit {
  /** The identity whose prekeys these are: each record is encrypted under a key derived from its secret seed (core's secret-record.ts). */
  readonly identity: Identity;
  /** The database, the node's store's. Default `herald`. */
  readonly name?: string;
  /** Bound on prekeys kept. Default DEFAULT_MAX_PREKEYS (10,000). */
  readonly maxPrekeys?: number;
  /** Default: the page's IndexedDB. */
  readonly indexedDB?: IDBFactory;
}

/**
 * The node's prekey secrets in IndexedDB (pass it as `prekeys` to createNode).
 * Records are encrypted under a key derived from the identity's secret seed, and
 * the identity is kept only passphrase-encrypted (keys.ts): so, as with a
 * passphrase-protected key file, nothing in the database opens without the passphrase.
 * Every write resolves once committed with strict durability.
 */
export async function indexedDbPrekeySecretStore(init: IndexedDbPrekeySecretStoreInit): Promise<PrekeySecretStore> {
  if (typeof init !== 'object' || init === null || !init.identity?.card) throw new OptionsError('indexedDbPrekeySecretStore: init needs { identity }');
  const db = await openDatabase(factory(init.indexedDB), databaseName(init.name));
  try {
    return prekeySecretStoreOver(await indexedDbPrekeyRecordBackend(db), init.identity, init.maxPrekeys);
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * The backend's reads are synchronous (core's contract), so every record is read
 * once at open into memory, bounded by maxPrekeys; writes go to IndexedDB first
 * and to memory once committed.
 */
async function indexedDbPrekeyRecordBackend(db: IDBDatabase): Promise<PrekeyRecordBackend> {
  const records = await transact(db, ['prekey-secrets'], 'readonly', 'loading prekey secrets', ({ tx, on }) => {
    const loaded = new Map<string, Uint8Array>();
    const objects = tx.objectStore('prekey-secrets');
    on(objects.openCursor(), (cursor) => {
      if (!cursor) return;
      loaded.set(String(cursor.key), new Uint8Array(cursor.value as Uint8Array));
      cursor.continue();
    });
    return () => loaded;
  });
  const write = (id: string, record: Uint8Array | undefined, doing: string): Promise<void> =>
    transact(db, ['prekey-secrets'], 'readwrite', doing, ({ tx }) => {
      if (record === undefined) tx.objectStore('prekey-secrets').delete(id);
      else tx.objectStore('prekey-secrets').put(record, id);
      return () => undefined;
    });
  return {
    entries: () => records.entries(),
    get: (id) => records.get(id),
    async put(id, record) {
      const copy = new Uint8Array(record);
      await write(id, copy, 'storing a prekey secret');
      records.set(id, copy);
    },
    async overwriteThenDelete(id) {
      const length = records.get(id)?.length ?? 0;
      // Two committed transactions: zeros first, so the record's last stored form is zeros wherever the browser keeps it.
      await write(id, new Uint8Array(length), 'erasing a prekey secret');
      records.get(id)?.fill(0);
      await write(id, undefined, 'deleting a prekey secret');
      records.delete(id);
    },
    async close() {
      db.close();
    },
  };
}
