import { OptionsError } from '@herald/core';

/** The IndexedDB database a node uses unless told otherwise (one per origin, as a data dir is one per host). */
export const DEFAULT_DATABASE_NAME = 'herald';
/** Outbox records kept at most; a new id beyond this is refused with CAPACITY_EXCEEDED. */
export const DEFAULT_MAX_OUTBOX = 10_000;
/** Inbox records kept at most; a new message beyond this is refused with CAPACITY_EXCEEDED. */
export const DEFAULT_MAX_INBOX = 10_000;
/** Seen ids kept at most (inbox ids included, acks add their own): ten times the inbox bound; `pruneSeen` frees entries. */
export const DEFAULT_MAX_SEEN = 100_000;

export interface IndexedDbStoreInit {
  /** The database's name within the page's origin. Default {@link DEFAULT_DATABASE_NAME}. */
  readonly name?: string;
  /** Bound on outbox records. Default {@link DEFAULT_MAX_OUTBOX} (a tenth of the LMDB store's: a page's quota is smaller). */
  readonly maxOutbox?: number;
  /** Bound on inbox records not yet removed by the application. Default {@link DEFAULT_MAX_INBOX}. */
  readonly maxInbox?: number;
  /** Bound on seen ids (inbox ids included). Default {@link DEFAULT_MAX_SEEN}. */
  readonly maxSeen?: number;
  /** The IndexedDB to use. Default: the page's (`globalThis.indexedDB`). */
  readonly indexedDB?: IDBFactory;
  /**
   * Hold the database's Web Lock while open, so a second tab of the site (or a second store in this one) is refused
   * with STORE_IN_USE instead of running a second node on the same data. Default true.
   */
  readonly exclusive?: boolean;
  /** Ask the browser to make this site's storage persistent (`navigator.storage.persist()`), best effort. Default true. */
  readonly persist?: boolean;
  /** The Web Locks manager. Default: the page's (`navigator.locks`); none there means no guard. */
  readonly locks?: LockManager;
}

export interface ResolvedInit {
  readonly name: string;
  readonly maxOutbox: number;
  readonly maxInbox: number;
  readonly maxSeen: number;
  readonly indexedDB: IDBFactory;
  readonly exclusive: boolean;
  readonly persist: boolean;
  readonly locks: LockManager | undefined;
}

const KNOWN: ReadonlySet<string> = new Set(['name', 'maxOutbox', 'maxInbox', 'maxSeen', 'indexedDB', 'exclusive', 'persist', 'locks']);

/** Checks every field, naming it in the message, and fills in the defaults. */
export function resolveInit(init: IndexedDbStoreInit = {}, what = 'indexedDbStore'): ResolvedInit {
  if (typeof init !== 'object' || init === null) throw new OptionsError(`${what}: init must be an object`);
  // A misspelt bound (`maxOutBox`) would otherwise silently leave the default in force.
  for (const key of Object.keys(init)) if (!KNOWN.has(key)) throw new OptionsError(`${what}: unknown option ${key}`);
  return {
    name: databaseName(init.name),
    maxOutbox: count('maxOutbox', init.maxOutbox, DEFAULT_MAX_OUTBOX),
    maxInbox: count('maxInbox', init.maxInbox, DEFAULT_MAX_INBOX),
    maxSeen: count('maxSeen', init.maxSeen, DEFAULT_MAX_SEEN),
    indexedDB: factory(init.indexedDB),
    exclusive: flag('exclusive', init.exclusive, true),
    persist: flag('persist', init.persist, true),
    locks: lockManager(init.locks),
  };
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new OptionsError(`${name}: expected true or false, got ${describe(value)}`);
  return value;
}

function lockManager(value: unknown): LockManager | undefined {
  const found = value ?? (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (found !== undefined && (typeof found !== 'object' || found === null || typeof (found as LockManager).request !== 'function')) {
    throw new OptionsError('locks: expected a LockManager (navigator.locks)');
  }
  return found as LockManager | undefined;
}

export function databaseName(value: unknown): string {
  if (value === undefined) return DEFAULT_DATABASE_NAME;
  if (typeof value !== 'string' || value.trim() === '') throw new OptionsError(`name: expected a database name, got ${describe(value)}`);
  return value;
}

export function factory(value: unknown): IDBFactory {
  const found = value ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (typeof found !== 'object' || found === null || typeof (found as IDBFactory).open !== 'function') {
    throw new OptionsError(value === undefined ? 'indexedDB: this environment has no IndexedDB (run in a web page, or pass one)' : 'indexedDB: expected an IDBFactory');
  }
  return found as IDBFactory;
}

function count(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new OptionsError(`${name}: expected a positive integer, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
