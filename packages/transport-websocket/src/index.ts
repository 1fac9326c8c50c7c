export { webSocketTransport } from './transport.js';
export { type WebSocketTransportInit, type WebSocketTlsOptions, DEFAULT_MAX_ENVELOPE_BYTES, DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_HEARTBEAT_TIMEOUT_MS } from './init.js';
// The relay wire protocol now lives in @herald/protocol; re-exported for code that took it from here.
export { relayProtocol } from '@herald/protocol';
