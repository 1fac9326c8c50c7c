import { OptionsError } from './errors.js';
import type { Sodium, SodiumBackend } from './sodium/api.js';
import { loadNativeSodium } from './sodium/native.js';
import { loadWasmSodium } from './sodium/wasm.js';

export type { SodiumBackend } from './sodium/api.js';

/**
 * libsodium, chosen and loaded once when this module is first imported
 * (top-level await), so every API in core can be synchronous where the work is.
 * Native libsodium (sodium-native) when its prebuilt binding loads, else
 * libsodium.js; `HERALD_SODIUM=native` or `=wasm` forces one. Both are the same
 * library and give the same bytes, so envelopes cross freely between them.
 */
async function chooseSodium(forced: string | undefined): Promise<Sodium> {
  if (forced === 'wasm') return loadWasmSodium();
  if (forced === 'native') {
    try {
      return loadNativeSodium();
    } catch (cause) {
      throw new OptionsError(`HERALD_SODIUM=native: sodium-native's prebuilt binding did not load on ${process.platform}-${process.arch} (${(cause as Error).message}); unset HERALD_SODIUM to fall back to libsodium.js`, { cause });
    }
  }
  if (forced !== undefined && forced !== '') throw new OptionsError(`HERALD_SODIUM: expected native or wasm, got ${JSON.stringify(forced)}`);
  try {
    return loadNativeSodium();
  } catch {
    return loadWasmSodium();
  }
}

export const sodium: Sodium = await chooseSodium(process.env.HERALD_SODIUM);

/** Which libsodium core runs on: `native` (sodium-native) or `wasm` (libsodium.js). */
export function sodiumBackend(): SodiumBackend {
  return sodium.backend;
}

/** Constant-time equality of two byte strings (their lengths are not secret). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return sodium.memcmp(a, b);
}
