import { concatBytes } from '../bytes.js';
import { PREKEY_DOMAIN } from '../domains.js';
import { EnvelopeError, PrekeyError } from '../errors.js';
import { secureRandom } from '../random.js';
import { sodium } from '../sodium.js';
import { x25519Agree } from './agree.js';
import type { Kem, KemEncapsulation, KemKeyPair } from './types.js';

const KEY_BYTES = 32;

/**
 * The classical prekey kind: a DH-based KEM over X25519, for channels where
 * X-Wing's 1,120-byte ciphertext does not fit. The ciphertext is a fresh
 * ephemeral public key; the shared secret is BLAKE2b-256, keyed by the domain
 * string, over DH output ‖ ephemeral public key ‖ recipient public key, so it
 * is bound to both keys (as X-Wing's combiner binds its X25519 part).
 */
export const x25519Kem: Kem = Object.freeze({
  kind: 'x25519',
  publicKeyBytes: KEY_BYTES,
  secretKeyBytes: KEY_BYTES,
  ciphertextBytes: KEY_BYTES,

  /** The seed is the X25519 secret key itself. */
  generateKeyPair(seed?: Uint8Array): KemKeyPair {
    if (seed !== undefined && seed.length !== KEY_BYTES) throw new TypeError(`x25519 KEM seed: expected ${KEY_BYTES} bytes, got ${seed.length}`);
    const secretKey = seed === undefined ? secureRandom(KEY_BYTES) : seed.slice();
    return { publicKey: sodium.crypto_scalarmult_base(secretKey), secretKey };
  },

  /** Throws PrekeyError BAD_PREKEY for a public key of the wrong length or of small order. */
  encapsulate(publicKey: Uint8Array, givenRandomness?: Uint8Array): KemEncapsulation {
    const randomness = givenRandomness ?? secureRandom(KEY_BYTES);
    if (publicKey.length !== KEY_BYTES) throw new PrekeyError('BAD_PREKEY', `x25519 prekey: expected a ${KEY_BYTES}-byte public key, got ${publicKey.length}`);
    if (randomness.length !== KEY_BYTES) throw new TypeError(`x25519 KEM randomness: expected ${KEY_BYTES} bytes, got ${randomness.length}`);
    const ephemeralPublicKey = sodium.crypto_scalarmult_base(randomness);
    const dh = x25519Agree(randomness, publicKey, (cause) => new PrekeyError('BAD_PREKEY', 'x25519 prekey: a small-order public key (all-zero agreement)', { cause }));
    // The ephemeral secret, when drawn here, is not needed again.
    if (givenRandomness === undefined) randomness.fill(0);
    return { ciphertext: ephemeralPublicKey, sharedSecret: combine(dh, ephemeralPublicKey, publicKey) };
  },

  /** Throws EnvelopeError DECRYPT_FAILED for a ciphertext or key of the wrong length, or a small-order ephemeral key. */
  decapsulate(secretKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (ciphertext.length !== KEY_BYTES) throw new EnvelopeError('DECRYPT_FAILED', `x25519 KEM: expected a ${KEY_BYTES}-byte ciphertext, got ${ciphertext.length}`);
    if (secretKey.length !== KEY_BYTES) throw new EnvelopeError('DECRYPT_FAILED', `x25519 KEM: expected a ${KEY_BYTES}-byte secret key, got ${secretKey.length}`);
    const dh = x25519Agree(secretKey, ciphertext, (cause) => new EnvelopeError('DECRYPT_FAILED', 'x25519 KEM: a small-order ephemeral key (all-zero agreement)', { cause }));
    return combine(dh, ciphertext, sodium.crypto_scalarmult_base(secretKey));
  },
});

function combine(dh: Uint8Array, ephemeralPublicKey: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  const sharedSecret = sodium.crypto_generichash(32, concatBytes([dh, ephemeralPublicKey, recipientPublicKey]), PREKEY_DOMAIN.x25519Kem);
  dh.fill(0);
  return sharedSecret;
}
