import { platform } from '#platform';
import type { Sodium, SodiumBackend } from './sodium/api.js';

export type { SodiumBackend } from './sodium/api.js';

/**
 * libsodium, chosen and loaded once when this module is first imported
 * (top-level await), so every API in core can be synchronous where the work is.
 * Which build is the platform's choice (platform/node.ts, platform/browser.ts).
 */
export const sodium: Sodium = await platform.loadSodium();

/** Which libsodium core runs on: `native` (sodium-native) or `wasm` (libsodium.js). */
export function sodiumBackend(): SodiumBackend {
  return sodium.backend;
}

/** Constant-time equality of two byte strings (their lengths are not secret). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return sodium.memcmp(a, b);
}
