export { webSocketTransport } from './transport.js';
export { type WebSocketTransportInit, type WebSocketTlsOptions, DEFAULT_MAX_ENVELOPE_BYTES, DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_HEARTBEAT_TIMEOUT_MS } from './init.js';
export * as relayProtocol from './protocol/index.js';
export { type PublishRevocationsInit, publishRevocations } from './revocations.js';
