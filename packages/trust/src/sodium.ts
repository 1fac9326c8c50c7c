import sodiumModule from 'libsodium-wrappers-sumo';

// The same libsodium.js build core uses, loaded once (top-level await) so signing and verifying stay synchronous.
await sodiumModule.ready;

export const sodium = sodiumModule;
