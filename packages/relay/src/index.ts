export { startRelay, type RelayHandle } from './relay.js';
export { type RelayInit, resolveRelayInit, parseMetricsAddress, LOG_LEVELS } from './init.js';
export { httpHandler } from './http.js';
export { loadRelayConfig, parseRelayConfig } from './config.js';
export { serveRelay, initFromFlags, type RelayFlags } from './serve.js';
export { relayMain } from './main.js';
export { openMailboxes, type MailboxLimits, type MailboxStore, type MailEntry, type DepositOutcome } from './store/lmdb-store.js';
export { relayVersion } from './version.js';
