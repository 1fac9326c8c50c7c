/** The relay wire protocol, shared by @herald/transport-websocket (the client) and @herald/relay (the server). */
export * from './codes.js';
export * from './frames.js';
export * from './auth.js';
export * from './mailbox-auth.js';
export * from './cork.js';
export * from './id-batch.js';
export * from './padding.js';
export * from './cover.js';
