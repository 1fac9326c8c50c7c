import { randomFillSync } from 'node:crypto';
import { createRequire } from 'node:module';
import sodium from 'libsodium-wrappers-sumo';
import { sodiumBackend, type Identity } from '@herald/core';

/**
 * The bare primitive work Herald's benches compare against, on the same
 * libsodium build core runs on (native sodium-native or WASM libsodium.js), so
 * a ratio measures Herald's overhead and not the gap between two builds.
 * Native calls write into buffers allocated once, the fastest way to call it.
 */
export interface SodiumNative {
  crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
  crypto_scalarmult_base(q: Uint8Array, n: Uint8Array): void;
  crypto_generichash(output: Uint8Array, input: Uint8Array, key?: Uint8Array): void;
  crypto_sign_detached(sig: Uint8Array, m: Uint8Array, sk: Uint8Array): void;
  crypto_sign_verify_detached(sig: Uint8Array, m: Uint8Array, pk: Uint8Array): boolean;
  crypto_aead_xchacha20poly1305_ietf_encrypt(c: Uint8Array, m: Uint8Array, ad: Uint8Array | null, nsec: null, npub: Uint8Array, k: Uint8Array): number;
  crypto_aead_xchacha20poly1305_ietf_decrypt(m: Uint8Array, nsec: null, c: Uint8Array, ad: Uint8Array | null, npub: Uint8Array, k: Uint8Array): number;
}

export const backend = sodiumBackend();
export const native = backend === 'native' ? (createRequire(import.meta.url)('sodium-native') as SodiumNative) : undefined;
if (!native) await sodium.ready;

/** One line for a bench's header. */
export const backendLine = `libsodium: ${backend === 'native' ? 'native (sodium-native)' : 'WASM (libsodium.js)'}, core's and the baseline's; HERALD_SODIUM=native|wasm chooses`;

const nonce = new Uint8Array(24);
const seed = new Uint8Array(32);
const ephemeral = new Uint8Array(32);
const shared = new Uint8Array(32);
const key = new Uint8Array(32);
const signature = new Uint8Array(64);
let ciphertext = new Uint8Array(0);
let plaintext = new Uint8Array(0);

function sealNative(lib: SodiumNative, message: Uint8Array, alice: Identity, bob: Identity): Uint8Array {
  randomFillSync(seed);
  lib.crypto_scalarmult_base(ephemeral, seed);
  lib.crypto_scalarmult(shared, seed, bob.card.agreementPublicKey);
  lib.crypto_generichash(key, ephemeral, shared);
  lib.crypto_sign_detached(signature, message, alice.signingSecretKey);
  if (ciphertext.length !== message.length + 16) ciphertext = new Uint8Array(message.length + 16);
  lib.crypto_aead_xchacha20poly1305_ietf_encrypt(ciphertext, message, ephemeral, null, nonce, key);
  return ciphertext;
}

function openNative(lib: SodiumNative, alice: Identity, bob: Identity): void {
  lib.crypto_scalarmult(shared, bob.agreementSecretKey, ephemeral);
  lib.crypto_generichash(key, ephemeral, shared);
  if (plaintext.length !== ciphertext.length - 16) plaintext = new Uint8Array(ciphertext.length - 16);
  lib.crypto_aead_xchacha20poly1305_ietf_decrypt(plaintext, null, ciphertext, ephemeral, nonce, key);
  if (!lib.crypto_sign_verify_detached(signature, plaintext, alice.card.signingPublicKey)) throw new Error('verify failed');
}

/**
 * The primitive work of sealing alone: X25519 key generation and agreement, BLAKE2b, Ed25519 sign, XChaCha20-Poly1305.
 * Returns the ciphertext (with native libsodium, a buffer the next call reuses).
 */
export function bareSodiumSeal(message: Uint8Array, alice: Identity, bob: Identity): Uint8Array {
  if (native) return sealNative(native, message, alice, bob);
  randomFillSync(seed);
  const ephemeralPublic = sodium.crypto_scalarmult_base(seed);
  const sealKey = sodium.crypto_generichash(32, ephemeralPublic, sodium.crypto_scalarmult(seed, bob.card.agreementPublicKey));
  sodium.crypto_sign_detached(message, alice.signingSecretKey);
  return sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(message, ephemeralPublic, null, nonce, sealKey);
}

/** The primitive work of one seal and one open: X25519 twice, BLAKE2b, XChaCha20-Poly1305 both ways, Ed25519 sign and verify. */
export function bareSodiumRoundTrip(message: Uint8Array, alice: Identity, bob: Identity): void {
  if (native) {
    sealNative(native, message, alice, bob);
    openNative(native, alice, bob);
    return;
  }
  randomFillSync(seed);
  const ephemeralPublic = sodium.crypto_scalarmult_base(seed);
  const sealKey = sodium.crypto_generichash(32, ephemeralPublic, sodium.crypto_scalarmult(seed, bob.card.agreementPublicKey));
  const sig = sodium.crypto_sign_detached(message, alice.signingSecretKey);
  const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(message, ephemeralPublic, null, nonce, sealKey);
  const receiverKey = sodium.crypto_generichash(32, ephemeralPublic, sodium.crypto_scalarmult(bob.agreementSecretKey, ephemeralPublic));
  const opened = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed, ephemeralPublic, nonce, receiverKey);
  if (!sodium.crypto_sign_verify_detached(sig, opened, alice.card.signingPublicKey)) throw new Error('verify failed');
}
