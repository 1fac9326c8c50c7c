import sodiumModule from 'libsodium-wrappers-sumo';

/**
 * libsodium, loaded once when this module is first imported (top-level await),
 * so every API in core can be synchronous where the work is.
 *
 * The sumo build is the same libsodium.js as `libsodium-wrappers` plus
 * `crypto_pwhash` (Argon2id), which passphrase-protected key files need.
 */
await sodiumModule.ready;

export const sodium = sodiumModule;

/** Constant-time equality of two byte strings (their lengths are not secret). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return sodium.memcmp(a, b);
}
