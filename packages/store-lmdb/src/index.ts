export { lmdbStore, type LmdbStore, type StoreCounts } from './store.js';
export { type LmdbStoreInit, DEFAULT_MAX_OUTBOX, DEFAULT_MAX_INBOX, DEFAULT_MAX_SEEN, DEFAULT_MAP_SIZE, MIN_MAP_SIZE, MAX_MAP_SIZE, DEFAULT_MIN_FREE_BYTES, MAX_MIN_FREE_BYTES } from './init.js';
export { STORE_FORMAT } from './environment.js';
export { commitFailure, type CommitFailure } from './commit-failure.js';
export { freeSpaceGuard, type FreeSpaceGuard } from './free-space.js';
export { lmdbPrekeySecretStore, lmdbPrekeyRecordBackend, type LmdbPrekeySecretStoreInit } from './prekeys.js';
