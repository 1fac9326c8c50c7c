import { pwhashConstants, type Sodium } from './api.js';

/**
 * libsodium.js (WebAssembly), the fallback where sodium-native's prebuilt
 * binding does not load. The sumo build adds `crypto_pwhash` (Argon2id), which
 * passphrase-protected key files need. Imported only when chosen, so a node on
 * the native backend never compiles the WebAssembly module.
 */
export async function loadWasmSodium(): Promise<Sodium> {
  const { default: lib } = await import('libsodium-wrappers-sumo');
  await lib.ready;
  return Object.freeze({
    backend: 'wasm',
    crypto_generichash: (outputBytes, message, key) => lib.crypto_generichash(outputBytes, message, key),
    crypto_scalarmult: (secretKey, publicKey) => lib.crypto_scalarmult(secretKey, publicKey),
    crypto_scalarmult_base: (secretKey) => lib.crypto_scalarmult_base(secretKey),
    crypto_sign_seed_keypair: (seed) => {
      const pair = lib.crypto_sign_seed_keypair(seed);
      return { publicKey: pair.publicKey, privateKey: pair.privateKey };
    },
    crypto_sign_detached: (message, secretKey) => lib.crypto_sign_detached(message, secretKey),
    crypto_sign_verify_detached: (signature, message, publicKey) => lib.crypto_sign_verify_detached(signature, message, publicKey),
    crypto_aead_xchacha20poly1305_ietf_encrypt: (message, additionalData, secretNonce, nonce, key) =>
      lib.crypto_aead_xchacha20poly1305_ietf_encrypt(message, additionalData, secretNonce, nonce, key),
    crypto_aead_xchacha20poly1305_ietf_decrypt: (secretNonce, ciphertext, additionalData, nonce, key) =>
      lib.crypto_aead_xchacha20poly1305_ietf_decrypt(secretNonce, ciphertext, additionalData, nonce, key),
    memcmp: (a, b) => lib.memcmp(a, b),
    crypto_hash_sha512: (message) => lib.crypto_hash_sha512(message),
    crypto_core_ed25519_scalar_reduce: (scalar) => lib.crypto_core_ed25519_scalar_reduce(scalar),
    crypto_core_ed25519_scalar_mul: (x, y) => lib.crypto_core_ed25519_scalar_mul(x, y),
    crypto_core_ed25519_scalar_add: (x, y) => lib.crypto_core_ed25519_scalar_add(x, y),
    crypto_scalarmult_ed25519_noclamp: (scalar, point) => lib.crypto_scalarmult_ed25519_noclamp(scalar, point),
    crypto_scalarmult_ed25519_base_noclamp: (scalar) => lib.crypto_scalarmult_ed25519_base_noclamp(scalar),
    memzero: (bytes) => lib.memzero(bytes),
    crypto_pwhash: (outputBytes, passphrase, salt, opsLimit, memLimit, algorithm) => lib.crypto_pwhash(outputBytes, passphrase, salt, opsLimit, memLimit, algorithm),
    ...pwhashConstants(lib),
  } satisfies Sodium);
}
