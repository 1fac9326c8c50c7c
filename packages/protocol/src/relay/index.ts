/** The relay wire protocol, shared by @herald/transport-websocket (the client) and @herald/relay (the server). */
export * from './codes.js';
export * from './frame-layout.js';
export * from './frames.js';
export { FrameError, allocUnfilled } from './frame-primitives.js';
export { encodeAuth, encodeMailboxAuth, type Auth, type MailboxAuth, type TagProof } from './auth-frames.js';
export * from './prekey-frames.js';
export * from './auth.js';
export * from './mailbox-auth.js';
export * from './cork.js';
export * from './id-batch.js';
export * from './padding.js';
export * from './cover.js';
