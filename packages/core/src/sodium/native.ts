import { createRequire } from 'node:module';
import { pwhashConstants, type PwhashConstants, type Sodium } from './api.js';

/** The parts of sodium-native core calls: libsodium's C signatures, outputs passed in, failures thrown. */
interface SodiumNative extends PwhashConstants {
  crypto_generichash(output: Uint8Array, input: Uint8Array, key?: Uint8Array): void;
  crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
  crypto_scalarmult_base(q: Uint8Array, n: Uint8Array): void;
  crypto_sign_seed_keypair(pk: Uint8Array, sk: Uint8Array, seed: Uint8Array): void;
  crypto_sign_detached(sig: Uint8Array, m: Uint8Array, sk: Uint8Array): void;
  crypto_sign_verify_detached(sig: Uint8Array, m: Uint8Array, pk: Uint8Array): boolean;
  crypto_aead_xchacha20poly1305_ietf_encrypt(c: Uint8Array, m: Uint8Array, ad: Uint8Array | null, nsec: null, npub: Uint8Array, k: Uint8Array): number;
  crypto_aead_xchacha20poly1305_ietf_decrypt(m: Uint8Array, nsec: null, c: Uint8Array, ad: Uint8Array | null, npub: Uint8Array, k: Uint8Array): number;
  sodium_memcmp(a: Uint8Array, b: Uint8Array): boolean;
  crypto_pwhash(out: Uint8Array, passwd: Uint8Array, salt: Uint8Array, opslimit: number, memlimit: number, alg: number): void;
  crypto_hash_sha512(out: Uint8Array, input: Uint8Array): void;
  crypto_core_ed25519_scalar_reduce(r: Uint8Array, s: Uint8Array): void;
  crypto_core_ed25519_scalar_add(z: Uint8Array, x: Uint8Array, y: Uint8Array): void;
  crypto_scalarmult_ed25519_noclamp(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
  crypto_scalarmult_ed25519_base_noclamp(q: Uint8Array, n: Uint8Array): void;
  sodium_memzero(bytes: Uint8Array): void;
  readonly crypto_aead_xchacha20poly1305_ietf_ABYTES: number;
}

const SIGNATURE_BYTES = 64;
const SCALAR_BYTES = 32;

/**
 * x · y mod L. sodium-native binds no crypto_core_ed25519_scalar_mul, so this
 * builds it from libsodium's scalar_add: double-and-add over y's 256 bits, both
 * sums computed every step and one kept by a branch-free mask, so neither
 * scalar's bits choose a code path. x is reduced first: libsodium's scalar_add
 * adds its inputs modulo 2^256 before reducing, so an unreduced x could wrap.
 * Intermediates are zeroed.
 */
function scalarMulByAdding(lib: SodiumNative, x: Uint8Array, y: Uint8Array): Uint8Array {
  if (x.length !== SCALAR_BYTES || y.length !== SCALAR_BYTES) throw new TypeError('invalid scalar length');
  const wide = new Uint8Array(2 * SCALAR_BYTES);
  wide.set(x);
  const reducedX = new Uint8Array(SCALAR_BYTES);
  lib.crypto_core_ed25519_scalar_reduce(reducedX, wide);
  lib.sodium_memzero(wide);
  const accumulator = new Uint8Array(SCALAR_BYTES);
  const doubled = new Uint8Array(SCALAR_BYTES);
  const added = new Uint8Array(SCALAR_BYTES);
  for (let bit = 255; bit >= 0; bit--) {
    lib.crypto_core_ed25519_scalar_add(doubled, accumulator, accumulator);
    lib.crypto_core_ed25519_scalar_add(added, doubled, reducedX);
    const mask = -(((y[bit >>> 3] ?? 0) >>> (bit & 7)) & 1) & 0xff;
    for (let i = 0; i < SCALAR_BYTES; i++) {
      const d = doubled[i] ?? 0;
      accumulator[i] = d ^ (mask & (d ^ (added[i] ?? 0)));
    }
  }
  lib.sodium_memzero(reducedX);
  lib.sodium_memzero(doubled);
  lib.sodium_memzero(added);
  return accumulator;
}

/**
 * libsodium compiled natively, through sodium-native's prebuilt N-API binding:
 * the same library as libsodium.js, two to four times faster per call here.
 * Throws when the binding does not load (no prebuild for this platform).
 *
 * Outputs are fresh Uint8Arrays, as libsodium.js returns, so callers zero them
 * the same way. Lengths libsodium.js refuses are refused here too (sodium-native
 * accepts a signature longer than 64 bytes and reads only its start).
 */
export function loadNativeSodium(): Sodium {
  const lib = createRequire(import.meta.url)('sodium-native') as SodiumNative;
  const tagBytes = lib.crypto_aead_xchacha20poly1305_ietf_ABYTES;
  return Object.freeze({
    backend: 'native',
    crypto_generichash: (outputBytes, message, key) => {
      const out = new Uint8Array(outputBytes);
      if (key === null) lib.crypto_generichash(out, message);
      else lib.crypto_generichash(out, message, key);
      return out;
    },
    crypto_scalarmult: (secretKey, publicKey) => {
      const out = new Uint8Array(32);
      lib.crypto_scalarmult(out, secretKey, publicKey);
      return out;
    },
    crypto_scalarmult_base: (secretKey) => {
      const out = new Uint8Array(32);
      lib.crypto_scalarmult_base(out, secretKey);
      return out;
    },
    crypto_sign_seed_keypair: (seed) => {
      const publicKey = new Uint8Array(32);
      const privateKey = new Uint8Array(64);
      lib.crypto_sign_seed_keypair(publicKey, privateKey, seed);
      return { publicKey, privateKey };
    },
    crypto_sign_detached: (message, secretKey) => {
      const out = new Uint8Array(SIGNATURE_BYTES);
      lib.crypto_sign_detached(out, message, secretKey);
      return out;
    },
    crypto_sign_verify_detached: (signature, message, publicKey) => {
      if (signature.length !== SIGNATURE_BYTES) throw new TypeError('invalid signature length');
      return lib.crypto_sign_verify_detached(signature, message, publicKey);
    },
    crypto_aead_xchacha20poly1305_ietf_encrypt: (message, additionalData, secretNonce, nonce, key) => {
      const out = new Uint8Array(message.length + tagBytes);
      lib.crypto_aead_xchacha20poly1305_ietf_encrypt(out, message, additionalData, secretNonce, nonce, key);
      return out;
    },
    crypto_aead_xchacha20poly1305_ietf_decrypt: (secretNonce, ciphertext, additionalData, nonce, key) => {
      if (ciphertext.length < tagBytes) throw new TypeError('ciphertext is too short');
      const out = new Uint8Array(ciphertext.length - tagBytes);
      try {
        lib.crypto_aead_xchacha20poly1305_ietf_decrypt(out, secretNonce, ciphertext, additionalData, nonce, key);
      } catch (cause) {
        out.fill(0);
        throw cause;
      }
      return out;
    },
    memcmp: (a, b) => lib.sodium_memcmp(a, b),
    crypto_hash_sha512: (message) => {
      const out = new Uint8Array(64);
      lib.crypto_hash_sha512(out, message);
      return out;
    },
    crypto_core_ed25519_scalar_reduce: (scalar) => {
      const out = new Uint8Array(32);
      lib.crypto_core_ed25519_scalar_reduce(out, scalar);
      return out;
    },
    crypto_core_ed25519_scalar_mul: (x, y) => scalarMulByAdding(lib, x, y),
    crypto_core_ed25519_scalar_add: (x, y) => {
      const out = new Uint8Array(32);
      lib.crypto_core_ed25519_scalar_add(out, x, y);
      return out;
    },
    crypto_scalarmult_ed25519_noclamp: (scalar, point) => {
      const out = new Uint8Array(32);
      lib.crypto_scalarmult_ed25519_noclamp(out, scalar, point);
      return out;
    },
    crypto_scalarmult_ed25519_base_noclamp: (scalar) => {
      const out = new Uint8Array(32);
      lib.crypto_scalarmult_ed25519_base_noclamp(out, scalar);
      return out;
    },
    memzero: (bytes) => lib.sodium_memzero(bytes),
    crypto_pwhash: (outputBytes, passphrase, salt, opsLimit, memLimit, algorithm) => {
      const password = typeof passphrase === 'string' ? new TextEncoder().encode(passphrase) : passphrase;
      const out = new Uint8Array(outputBytes);
      try {
        lib.crypto_pwhash(out, password, salt, opsLimit, memLimit, algorithm);
      } finally {
        if (password !== passphrase) password.fill(0);
      }
      return out;
    },
    ...pwhashConstants(lib),
  } satisfies Sodium);
}
