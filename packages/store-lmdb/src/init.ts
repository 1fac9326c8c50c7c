import { checkOptions, OptionsError, OptionType, textOption, type OptionsOf } from '@herald/core';

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

const count = (fallback: number, description: string) =>
  OptionType.ReadonlyOptional(OptionType.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: fallback, description, errorMessage: 'expected a positive integer' }));

/**
 * The store's options, declared once: the schema yields `LmdbStoreInit`, and `resolveInit` checks every field against
 * it (a misspelt bound, `maxOutBox`, would otherwise silently leave the default in force).
 */
export const LmdbStoreInitSchema = OptionType.Object(
  {
    path: OptionType.Readonly(textOption('a directory path', 'Directory holding the environment (`data.mdb`, `lock.mdb`); created, with its parents, if missing. One process should own it: LMDB would let a second one in, but the node\'s in-memory state assumes it is the only writer.')),
    maxOutbox: count(DEFAULT_MAX_OUTBOX, 'Bound on outbox records. Default 100 000.'),
    maxInbox: count(DEFAULT_MAX_INBOX, 'Bound on inbox records not yet removed by the application. Default 100 000.'),
    maxSeen: count(DEFAULT_MAX_SEEN, 'Bound on seen ids (inbox ids included). Default 1 000 000.'),
    mapSize: OptionType.ReadonlyOptional(OptionType.Integer({ minimum: MIN_MAP_SIZE, maximum: MAX_MAP_SIZE, default: DEFAULT_MAP_SIZE, description: 'Initial memory-map size in bytes, from 1 MiB to 64 TiB. Default 1 GiB.', errorMessage: `expected a whole number of bytes from ${MIN_MAP_SIZE} (1 MiB) to ${MAX_MAP_SIZE} (64 TiB)` })),
    minFreeBytes: OptionType.ReadonlyOptional(OptionType.Integer({ minimum: 0, maximum: MAX_MIN_FREE_BYTES, default: DEFAULT_MIN_FREE_BYTES, description: 'Free disk space below which new records are refused with STORE_FULL, from 0 (never) to 1 TiB. Default 16 MiB.', errorMessage: `expected a whole number of bytes from 0 to ${MAX_MIN_FREE_BYTES} (1 TiB)` })),
  },
  { additionalProperties: false },
);

/** Everything an LMDB store can be told (LmdbStoreInitSchema describes each field and its default). */
export interface LmdbStoreInit extends OptionsOf<typeof LmdbStoreInitSchema> {}

export interface ResolvedInit {
  readonly path: string;
  readonly maxOutbox: number;
  readonly maxInbox: number;
  readonly maxSeen: number;
  readonly mapSize: number;
  readonly minFreeBytes: number;
}

/** Checks every field, naming it in the message, and fills in the defaults. */
export function resolveInit(init: LmdbStoreInit): ResolvedInit {
  if (typeof init !== 'object' || init === null) throw new OptionsError('lmdbStore: init is required ({ path })');
  checkOptions(LmdbStoreInitSchema, init, 'lmdbStore');
  if (init.path.includes('\0')) throw new OptionsError('lmdbStore: path: must not contain a NUL character');
  return {
    path: init.path,
    maxOutbox: init.maxOutbox ?? DEFAULT_MAX_OUTBOX,
    maxInbox: init.maxInbox ?? DEFAULT_MAX_INBOX,
    maxSeen: init.maxSeen ?? DEFAULT_MAX_SEEN,
    mapSize: init.mapSize ?? DEFAULT_MAP_SIZE,
    minFreeBytes: init.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES,
  };
}
