import sodiumModule from 'libsodium-wrappers-sumo';

// The same libsodium.js build core uses, loaded once (top-level await) so the protocol code can be synchronous.
await sodiumModule.ready;

export const sodium = sodiumModule;
