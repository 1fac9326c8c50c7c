import sodiumModule from 'libsodium-wrappers-sumo';

// The same libsodium.js build core uses, loaded once (top-level await) so the client-id derivation can be synchronous.
await sodiumModule.ready;

export const sodium = sodiumModule;
