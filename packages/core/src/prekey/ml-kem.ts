import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { platform } from '#platform';

/**
 * ML-KEM-768 (FIPS 203), from two well-kept libraries, each where it is best:
 *
 * - liboqs (Open Quantum Safe, WebAssembly build, `@oqs/liboqs-js`) for the hot
 *   path: encapsulation with fresh randomness and decapsulation, about 0.15 ms
 *   each here, seven to ten times faster than the pure-JS libraries.
 * - `@noble/post-quantum` (audited, pure JS, synchronous) for what liboqs-js does
 *   not expose: key generation from a seed (d, z) and encapsulation with given
 *   randomness m. X-Wing derives its ML-KEM keys from a seed, so every prekey's
 *   key generation needs it (about 1.5 ms, once per prekey); encapsulation with
 *   given randomness is for test vectors only.
 *
 * Both produce and accept FIPS 203's byte formats, so their keys and ciphertexts
 * mix freely; the tests check each against the other and against NIST's and
 * C2SP's vectors. liboqs loads at import (top-level await), as libsodium does.
 * In a web page (platform/browser.ts) the hot path is noble's too: liboqs-js
 * loads its WebAssembly from a computed path no bundler can follow.
 */
const liboqs = await platform.loadMlKem768();

export const ML_KEM_768 = Object.freeze({ publicKeyBytes: 1184, secretKeyBytes: 2400, ciphertextBytes: 1088, sharedSecretBytes: 32 });

export interface MlKemKeyPair {
  /** The encapsulation key ek (1,184 bytes). */
  readonly publicKey: Uint8Array;
  /** The decapsulation key dk (2,400 bytes): dk_PKE ‖ ek ‖ H(ek) ‖ z. */
  readonly secretKey: Uint8Array;
}

/** ML-KEM.KeyGen_internal(d, z): deterministic key generation (FIPS 203, Algorithm 16). */
export function mlKemKeyPair(d: Uint8Array, z: Uint8Array): MlKemKeyPair {
  if (d.length !== 32 || z.length !== 32) throw new TypeError('ML-KEM key generation: d and z must be 32 bytes each');
  const seed = new Uint8Array(64);
  seed.set(d, 0);
  seed.set(z, 32);
  const pair = ml_kem768.keygen(seed);
  seed.fill(0);
  return { publicKey: pair.publicKey, secretKey: pair.secretKey };
}

/**
 * ML-KEM.Encaps; with `m`, ML-KEM.Encaps_internal(ek, m) (Algorithm 17). Throws
 * (an untyped library error) when ek fails FIPS 203's modulus check; the caller types it.
 */
export function mlKemEncapsulate(publicKey: Uint8Array, m?: Uint8Array): { ciphertext: Uint8Array; sharedSecret: Uint8Array } {
  if (m === undefined) return liboqs.encapsulate(publicKey);
  const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey, m);
  return { ciphertext: cipherText, sharedSecret };
}

/** ML-KEM.Decaps: implicit rejection, so any ciphertext of the right length gives a 32-byte secret. */
export function mlKemDecapsulate(secretKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return liboqs.decapsulate(ciphertext, secretKey);
}
