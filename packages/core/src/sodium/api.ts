/**
 * The libsodium primitives core uses, in libsodium.js's call shapes (outputs
 * returned, failures thrown), so either backend can sit behind them. Nothing
 * more: a smaller surface is less to keep byte-identical between backends.
 */
export type SodiumBackend = 'native' | 'wasm';

export interface SignKeyPair {
  readonly publicKey: Uint8Array;
  /** libsodium's 64-byte Ed25519 secret key (seed || public key). */
  readonly privateKey: Uint8Array;
}

export interface Sodium extends PwhashConstants {
  readonly backend: SodiumBackend;
  /** BLAKE2b; unkeyed when `key` is null. */
  crypto_generichash(outputBytes: number, message: Uint8Array, key: Uint8Array | null): Uint8Array;
  /** X25519; throws on a key that gives an all-zero shared secret (small order). */
  crypto_scalarmult(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
  crypto_scalarmult_base(secretKey: Uint8Array): Uint8Array;
  crypto_sign_seed_keypair(seed: Uint8Array): SignKeyPair;
  crypto_sign_detached(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** False for a signature that does not verify; throws only on wrong key or signature lengths. */
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  crypto_aead_xchacha20poly1305_ietf_encrypt(message: Uint8Array, additionalData: Uint8Array | null, secretNonce: null, nonce: Uint8Array, key: Uint8Array): Uint8Array;
  /** Throws when the ciphertext does not authenticate. */
  crypto_aead_xchacha20poly1305_ietf_decrypt(secretNonce: null, ciphertext: Uint8Array, additionalData: Uint8Array | null, nonce: Uint8Array, key: Uint8Array): Uint8Array;
  /** Constant-time equality of two equal-length byte strings. */
  memcmp(a: Uint8Array, b: Uint8Array): boolean;
  /** SHA-512 of one message. */
  crypto_hash_sha512(message: Uint8Array): Uint8Array;
  /** A 64-byte little-endian number reduced modulo the Ed25519 group order L. */
  crypto_core_ed25519_scalar_reduce(scalar: Uint8Array): Uint8Array;
  /** x · y mod L, constant time in both (either may be secret). */
  crypto_core_ed25519_scalar_mul(x: Uint8Array, y: Uint8Array): Uint8Array;
  /** x + y mod L (libsodium adds modulo 2^256 first: keep inputs below 2^255). */
  crypto_core_ed25519_scalar_add(x: Uint8Array, y: Uint8Array): Uint8Array;
  /** n · P on Ed25519 without clamping n; throws for a non-canonical or small-order P or an identity result. */
  crypto_scalarmult_ed25519_noclamp(scalar: Uint8Array, point: Uint8Array): Uint8Array;
  /** n · B on Ed25519 without clamping n; throws when the result is the identity (n ≡ 0). */
  crypto_scalarmult_ed25519_base_noclamp(scalar: Uint8Array): Uint8Array;
  /** Overwrites secret bytes with zeros in a way the compiler may not drop. */
  memzero(bytes: Uint8Array): void;
  /** Argon2id (with crypto_pwhash_ALG_ARGON2ID13); a string passphrase is hashed as UTF-8. */
  crypto_pwhash(outputBytes: number, passphrase: string | Uint8Array, salt: Uint8Array, opsLimit: number, memLimit: number, algorithm: number): Uint8Array;
}

/** Argon2id's parameters as libsodium defines them; each backend reads its own library's values. */
const PWHASH_CONSTANT_NAMES = [
  'crypto_pwhash_ALG_ARGON2ID13',
  'crypto_pwhash_OPSLIMIT_MIN',
  'crypto_pwhash_OPSLIMIT_INTERACTIVE',
  'crypto_pwhash_OPSLIMIT_MODERATE',
  'crypto_pwhash_OPSLIMIT_SENSITIVE',
  'crypto_pwhash_MEMLIMIT_MIN',
  'crypto_pwhash_MEMLIMIT_INTERACTIVE',
  'crypto_pwhash_MEMLIMIT_MODERATE',
  'crypto_pwhash_MEMLIMIT_SENSITIVE',
] as const;

export type PwhashConstants = { readonly [name in (typeof PWHASH_CONSTANT_NAMES)[number]]: number };

export function pwhashConstants(lib: PwhashConstants): PwhashConstants {
  return Object.fromEntries(PWHASH_CONSTANT_NAMES.map((name) => [name, lib[name]])) as unknown as PwhashConstants;
}
