import { sodium } from '../sodium.js';

/**
 * X25519 for the prekey KEMs, refusing an all-zero result (a small-order public
 * key). libsodium already throws on it; the result is checked again so that no
 * backend can let one through. `refusal` builds the caller's typed error. Whether
 * the output is zero depends only on the public key, so the check leaks no secret.
 */
export function x25519Agree(secretKey: Uint8Array, publicKey: Uint8Array, refusal: (cause?: unknown) => Error): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = sodium.crypto_scalarmult(secretKey, publicKey);
  } catch (cause) {
    throw refusal(cause);
  }
  if (shared.every((byte) => byte === 0)) throw refusal();
  return shared;
}
