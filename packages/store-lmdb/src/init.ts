import { OptionsError } from '@herald/core';

/** Outbox records kept at most; a new id beyond this is refused with CAPACITY_EXCEEDED. */
export const DEFAULT_MAX_OUTBOX = 100_000;
/** Inbox records kept at most; a new message beyond this is refused with CAPACITY_EXCEEDED. */
export const DEFAULT_MAX_INBOX = 100_000;
/**
 * Seen ids kept at most. Every inbox id is also a seen id, and acks add ids of
 * their own, so this is ten times the inbox bound; `pruneSeen` frees entries.
 */
export const DEFAULT_MAX_SEEN = 1_000_000;
/**
 * Initial size of the memory map, in bytes. It is address space, not disk: the
 * file grows only as pages are written, and lmdb-js enlarges the map itself when
 * it fills, so this only sets how often that (costly, leaky) remap happens.
 */
export const DEFAULT_MAP_SIZE = 1024 * 1024 * 1024;
export const MIN_MAP_SIZE = 1024 * 1024;
/** 64 TiB: past what a 47-bit user address space can map. */
export const MAX_MAP_SIZE = 2 ** 46;
/**
 * New records are refused (STORE_FULL) while the store's file system has less than this free: the room left is for
 * updates and removals of what is stored, and lmdb-js must never meet a full disk (free-space.ts).
 */
export const DEFAULT_MIN_FREE_BYTES = 16 * 1024 * 1024;
/** 1 TiB. */
export const MAX_MIN_FREE_BYTES = 2 ** 40;

export interface LmdbStoreInit {
  /**
   * Directory holding the environment (`data.mdb`, `lock.mdb`); created, with
   * its parents, if missing. One process should own it: LMDB would let a
   * second one in, but the node's in-memory state assumes it is the only writer.
   */
  readonly path: string;
  /** Bound on outbox records. Default {@link DEFAULT_MAX_OUTBOX}. */
  readonly maxOutbox?: number;
  /** Bound on inbox records not yet removed by the application. Default {@link DEFAULT_MAX_INBOX}. */
  readonly maxInbox?: number;
  /** Bound on seen ids (inbox ids included). Default {@link DEFAULT_MAX_SEEN}. */
  readonly maxSeen?: number;
  /** Initial memory-map size in bytes, from 1 MiB to 64 TiB. Default {@link DEFAULT_MAP_SIZE}. */
  readonly mapSize?: number;
  /** Free disk space below which new records are refused with STORE_FULL, from 0 (never) to 1 TiB. Default {@link DEFAULT_MIN_FREE_BYTES}. */
  readonly minFreeBytes?: number;
}

export interface ResolvedInit {
  readonly path: string;
  readonly maxOutbox: number;
  readonly maxInbox: number;
  readonly maxSeen: number;
  readonly mapSize: number;
  readonly minFreeBytes: number;
}

const KNOWN: ReadonlySet<string> = new Set(['path', 'maxOutbox', 'maxInbox', 'maxSeen', 'mapSize', 'minFreeBytes']);

/** Checks every field, naming it in the message, and fills in the defaults. */
export function resolveInit(init: LmdbStoreInit): ResolvedInit {
  if (typeof init !== 'object' || init === null) throw new OptionsError('lmdbStore: init is required ({ path })');
  // A misspelt bound (`maxOutBox`) would otherwise silently leave the default in force.
  for (const key of Object.keys(init)) if (!KNOWN.has(key)) throw new OptionsError(`lmdbStore: unknown option ${key}`);
  if (typeof init.path !== 'string' || init.path.trim() === '') throw new OptionsError(`path: expected a directory path, got ${describe(init.path)}`);
  if (init.path.includes('\0')) throw new OptionsError('path: must not contain a NUL character');
  return {
    path: init.path,
    maxOutbox: count('maxOutbox', init.maxOutbox, DEFAULT_MAX_OUTBOX),
    maxInbox: count('maxInbox', init.maxInbox, DEFAULT_MAX_INBOX),
    maxSeen: count('maxSeen', init.maxSeen, DEFAULT_MAX_SEEN),
    mapSize: mapSize(init.mapSize),
    minFreeBytes: minFreeBytes(init.minFreeBytes),
  };
}

function count(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new OptionsError(`${name}: expected a positive integer, got ${describe(value)}`);
  return value;
}

function mapSize(value: unknown): number {
  if (value === undefined) return DEFAULT_MAP_SIZE;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < MIN_MAP_SIZE || value > MAX_MAP_SIZE) {
    throw new OptionsError(`mapSize: expected a whole number of bytes from ${MIN_MAP_SIZE} (1 MiB) to ${MAX_MAP_SIZE} (64 TiB), got ${describe(value)}`);
  }
  return value;
}

function minFreeBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_MIN_FREE_BYTES;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_MIN_FREE_BYTES) {
    throw new OptionsError(`minFreeBytes: expected a whole number of bytes from 0 to ${MAX_MIN_FREE_BYTES} (1 TiB), got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
