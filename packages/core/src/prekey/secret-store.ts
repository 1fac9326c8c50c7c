import { toHex } from '../bytes.js';
import { CapacityError, OptionsError } from '../errors.js';
import type { Identity } from '../identity.js';
import type { OwnedPrekey } from './generate.js';
import { openPrekeyRecord, prekeyOfRecord, prekeyStorageKey, sealPrekeyRecord } from './secret-record.js';
import { PREKEY_ID_BYTES, type SignedPrekey } from './types.js';

/**
 * Where an identity keeps the secrets of its prekeys. Secrets are stored
 * encrypted (secret-record.ts) and deleted for real: each is overwritten with
 * zeros in a committed write before it is removed, never moved to a "retired"
 * place. Every mutating method resolves once its change is durable. What
 * "deleted" can and cannot promise on a given medium: docs/threat-model.md.
 */
export interface PrekeySecretStore {
  /** Keeps a new prekey and its secret. CapacityError when `maxPrekeys` are kept; OptionsError for an id already kept. */
  put(owned: OwnedPrekey): Promise<void>;
  /** The prekey and a fresh copy of its secret (wipe it after use), or undefined. PrekeyError BAD_PREKEY if its record was altered. */
  get(id: Uint8Array): OwnedPrekey | undefined;
  /** The public parts of every prekey kept, oldest first (by created, then id). */
  list(): SignedPrekey[];
  /** Overwrites the secret, then deletes it; resolves true once both are durable, false if the id was not kept. */
  delete(id: Uint8Array): Promise<boolean>;
  /** Deletes (as `delete`) every prekey whose openUntil has come at `now` (ms, default `Date.now()`); returns their ids, hex. */
  prune(now?: number): Promise<string[]>;
  close(): Promise<void>;
}

/** The storage beneath a PrekeySecretStore: opaque records by id (hex), each write durable when it resolves. */
export interface PrekeyRecordBackend {
  entries(): Iterable<readonly [string, Uint8Array]>;
  get(id: string): Uint8Array | undefined;
  put(id: string, record: Uint8Array): Promise<void>;
  /** Replaces the record with as many zero bytes in one committed write, then removes it in another. */
  overwriteThenDelete(id: string): Promise<void>;
  close(): Promise<void>;
}

/** Prekeys an identity keeps at most unless told otherwise: far above 100 one-time prekeys plus a week of daily ones. */
export const DEFAULT_MAX_PREKEYS = 10_000;

/** Builds a PrekeySecretStore over a backend (memory here, LMDB in @herald/store-lmdb). */
export function prekeySecretStoreOver(backend: PrekeyRecordBackend, identity: Identity, maxPrekeys = DEFAULT_MAX_PREKEYS): PrekeySecretStore {
  if (!Number.isSafeInteger(maxPrekeys) || maxPrekeys < 1) throw new OptionsError(`maxPrekeys: expected a positive integer, got ${String(maxPrekeys)}`);
  const storageKey = prekeyStorageKey(identity);
  // Ids kept or being written, checked and claimed synchronously so two concurrent puts of one id cannot both pass.
  const ids = new Set<string>(Array.from(backend.entries(), ([id]) => id));
  let closed = false;
  const check = (): void => {
    if (closed) throw new Error('prekey secret store is closed');
  };
  const idOf = (id: Uint8Array): string => {
    if (id.length !== PREKEY_ID_BYTES) throw new OptionsError(`prekey id: expected ${PREKEY_ID_BYTES} bytes, got ${id.length}`);
    return toHex(id);
  };
  // Ids being deleted: between the overwrite's commit and the removal's, the backend holds zeros under them (LMDB:
  // two committed writes), which no reader may take for a record. A sending node lists its prekeys while it prunes.
  const deleting = new Set<string>();
  const live = (): (readonly [string, Uint8Array])[] => Array.from(backend.entries()).filter(([id]) => !deleting.has(id));
  const remove = async (id: string): Promise<boolean> => {
    if (deleting.has(id) || backend.get(id) === undefined) return false;
    deleting.add(id);
    try {
      await backend.overwriteThenDelete(id);
      ids.delete(id);
    } finally {
      deleting.delete(id);
    }
    return true;
  };

  return {
    async put(owned) {
      check();
      const id = idOf(owned.prekey.id);
      if (ids.has(id)) throw new OptionsError(`prekey ${id} is already kept; ids are never reused`);
      if (ids.size >= maxPrekeys) throw new CapacityError(`prekey secret store holds ${maxPrekeys} prekeys (maxPrekeys); prune or delete some first`);
      const record = sealPrekeyRecord(storageKey, owned);
      ids.add(id);
      try {
        await backend.put(id, record);
      } catch (error) {
        ids.delete(id);
        throw error;
      }
    },
    get(id) {
      check();
      const key = idOf(id);
      const record = deleting.has(key) ? undefined : backend.get(key);
      return record === undefined ? undefined : openPrekeyRecord(storageKey, record);
    },
    list() {
      check();
      const prekeys = live().map(([, record]) => prekeyOfRecord(record));
      // Oldest first; within one second, medium-term before one-time (ids are random, so alone they would shuffle).
      return prekeys.sort((a, b) => a.created - b.created || Number(a.oneTime) - Number(b.oneTime) || toHex(a.id).localeCompare(toHex(b.id)));
    },
    async delete(id) {
      check();
      return remove(idOf(id));
    },
    async prune(now = Date.now()) {
      check();
      const nowSeconds = Math.floor(now / 1000);
      const due = live().filter(([, record]) => prekeyOfRecord(record).openUntil <= nowSeconds).map(([id]) => id);
      for (const id of due) await remove(id);
      return due;
    },
    async close() {
      if (closed) return;
      closed = true;
      storageKey.fill(0);
      await backend.close();
    },
  };
}

export interface MemoryPrekeySecretStoreInit {
  /** Default {@link DEFAULT_MAX_PREKEYS}. */
  readonly maxPrekeys?: number;
}

/** A PrekeySecretStore in memory, for tests and short-lived nodes. */
export function memoryPrekeySecretStore(identity: Identity, init: MemoryPrekeySecretStoreInit = {}): PrekeySecretStore {
  return prekeySecretStoreOver(memoryPrekeyRecordBackend(), identity, init.maxPrekeys);
}

/** Records in a Map (given, so tests can watch it); a deleted record is zeroed in place before it is dropped. */
export function memoryPrekeyRecordBackend(records = new Map<string, Uint8Array>()): PrekeyRecordBackend {
  return {
    entries: () => records.entries(),
    get: (id) => records.get(id),
    put: async (id, record) => {
      records.set(id, record.slice());
    },
    overwriteThenDelete: async (id) => {
      records.get(id)?.fill(0);
      records.delete(id);
    },
    close: async () => {
      for (const record of records.values()) record.fill(0);
      records.clear();
    },
  };
}
