export { lmdbStore, type LmdbStore, type StoreCounts } from './store.js';
export { type LmdbStoreInit, DEFAULT_MAX_OUTBOX, DEFAULT_MAX_INBOX, DEFAULT_MAX_SEEN, DEFAULT_MAP_SIZE, MIN_MAP_SIZE, MAX_MAP_SIZE } from './init.js';
export { STORE_FORMAT } from './environment.js';
export { lmdbPrekeySecretStore, lmdbPrekeyRecordBackend, type LmdbPrekeySecretStoreInit } from './prekeys.js';
