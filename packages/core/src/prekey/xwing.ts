import { platform } from '#platform';
import { concatBytes } from '../bytes.js';
import { EnvelopeError, PrekeyError } from '../errors.js';
import { secureRandom } from '../random.js';
import { sodium } from '../sodium.js';
import { x25519Agree } from './agree.js';
import { ML_KEM_768, mlKemDecapsulate, mlKemEncapsulate, mlKemKeyPair } from './ml-kem.js';
import type { Kem, KemEncapsulation, KemKeyPair } from './types.js';

/**
 * X-Wing, the hybrid post-quantum prekey kind: X25519 + ML-KEM-768 with the
 * SHA3-256 combiner, as in draft-connolly-cfrg-xwing-kem-10 (HPKE KEM 0x647A).
 * The draft's test vectors (spec/test-vectors.json, unchanged from draft -05 to
 * -10) pass byte for byte: test/vectors/xwing.json.
 *
 * Composed here rather than taken ready-made so that X25519 runs in libsodium
 * and ML-KEM's hot path in liboqs (see ml-kem.ts): about 25 times faster than a
 * pure-JS X-Wing. SHAKE256 and SHA3-256 come from the platform: node:crypto (OpenSSL), or @noble/hashes in a page.
 *
 * Secret key: the draft's secret key is the 32-byte seed, re-expanded at every
 * decapsulation (an ML-KEM key generation, about 1.5 ms in JS). Herald keeps the
 * expanded key instead, as the draft allows ("MAY cache the result of
 * expandDecapsulationKey"): sk_M (2,400) ‖ sk_X (32) ‖ pk_X (32). It never
 * leaves its owner's prekey store, as the draft requires of expanded keys.
 *
 * One deviation, for invalid keys only: an X25519 part of small order (all-zero
 * agreement) is refused, where the draft would go on: PrekeyError BAD_PREKEY when
 * encapsulating, EnvelopeError DECRYPT_FAILED when decapsulating.
 */
const X25519_BYTES = 32;
const PUBLIC_KEY_BYTES = ML_KEM_768.publicKeyBytes + X25519_BYTES;
const SECRET_KEY_BYTES = ML_KEM_768.secretKeyBytes + 2 * X25519_BYTES;
const CIPHERTEXT_BYTES = ML_KEM_768.ciphertextBytes + X25519_BYTES;
/** XWingLabel, `\./` `/^\` in ASCII. */
const LABEL = Uint8Array.of(0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c);

export const xwingKem: Kem = Object.freeze({
  kind: 'xwing',
  publicKeyBytes: PUBLIC_KEY_BYTES,
  secretKeyBytes: SECRET_KEY_BYTES,
  ciphertextBytes: CIPHERTEXT_BYTES,

  /** The draft's GenerateKeyPairDerand(seed): the 32-byte seed is expanded by SHAKE256 into ML-KEM's (d, z) and the X25519 secret key. */
  generateKeyPair(givenSeed?: Uint8Array): KemKeyPair {
    const seed = givenSeed ?? secureRandom(32);
    if (seed.length !== 32) throw new TypeError(`X-Wing seed: expected 32 bytes, got ${seed.length}`);
    const expanded = platform.shake256(seed, 96);
    // A seed drawn here is the whole secret: wipe it. A given seed is the caller's to wipe.
    if (givenSeed === undefined) seed.fill(0);
    const mlKem = mlKemKeyPair(expanded.subarray(0, 32), expanded.subarray(32, 64));
    const secretX = expanded.slice(64, 96);
    const publicX = sodium.crypto_scalarmult_base(secretX);
    expanded.fill(0);
    const secretKey = concatBytes([mlKem.secretKey, secretX, publicX]);
    mlKem.secretKey.fill(0);
    secretX.fill(0);
    return { publicKey: concatBytes([mlKem.publicKey, publicX]), secretKey };
  },

  /**
   * The draft's Encapsulate; with `randomness` (64 bytes: ML-KEM's m, then the ephemeral X25519 key), EncapsulateDerand.
   * Throws PrekeyError BAD_PREKEY for a public key of the wrong length, one failing ML-KEM's modulus check, or an X25519 part of small order.
   */
  encapsulate(publicKey: Uint8Array, randomness?: Uint8Array): KemEncapsulation {
    if (publicKey.length !== PUBLIC_KEY_BYTES) throw new PrekeyError('BAD_PREKEY', `X-Wing prekey: expected a ${PUBLIC_KEY_BYTES}-byte public key, got ${publicKey.length}`);
    if (randomness !== undefined && randomness.length !== 64) throw new TypeError(`X-Wing randomness: expected 64 bytes, got ${randomness.length}`);
    const publicM = publicKey.subarray(0, ML_KEM_768.publicKeyBytes);
    const publicX = publicKey.subarray(ML_KEM_768.publicKeyBytes);
    const ephemeralX = randomness === undefined ? secureRandom(X25519_BYTES) : randomness.slice(32, 64);
    const ciphertextX = sodium.crypto_scalarmult_base(ephemeralX);
    const sharedX = x25519Agree(ephemeralX, publicX, (cause) => new PrekeyError('BAD_PREKEY', 'X-Wing prekey: an X25519 key of small order (all-zero agreement)', { cause }));
    ephemeralX.fill(0);
    let mlKem: { ciphertext: Uint8Array; sharedSecret: Uint8Array };
    try {
      mlKem = mlKemEncapsulate(publicM, randomness?.subarray(0, 32));
    } catch (cause) {
      throw new PrekeyError('BAD_PREKEY', 'X-Wing prekey: the ML-KEM-768 key fails its modulus check', { cause });
    }
    return { ciphertext: concatBytes([mlKem.ciphertext, ciphertextX]), sharedSecret: combine(mlKem.sharedSecret, sharedX, ciphertextX, publicX) };
  },

  /** The draft's Decapsulate over the expanded key. ML-KEM's implicit rejection: a forged ciphertext of the right length yields an unrelated secret, not an error. */
  decapsulate(secretKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (ciphertext.length !== CIPHERTEXT_BYTES) throw new EnvelopeError('DECRYPT_FAILED', `X-Wing: expected a ${CIPHERTEXT_BYTES}-byte ciphertext, got ${ciphertext.length}`);
    if (secretKey.length !== SECRET_KEY_BYTES) throw new EnvelopeError('DECRYPT_FAILED', `X-Wing: expected a ${SECRET_KEY_BYTES}-byte secret key, got ${secretKey.length}`);
    const secretM = secretKey.subarray(0, ML_KEM_768.secretKeyBytes);
    const secretX = secretKey.subarray(ML_KEM_768.secretKeyBytes, ML_KEM_768.secretKeyBytes + X25519_BYTES);
    const publicX = secretKey.subarray(ML_KEM_768.secretKeyBytes + X25519_BYTES);
    const ciphertextX = ciphertext.subarray(ML_KEM_768.ciphertextBytes);
    const sharedX = x25519Agree(secretX, ciphertextX, (cause) => new EnvelopeError('DECRYPT_FAILED', 'X-Wing: an ephemeral X25519 key of small order (all-zero agreement)', { cause }));
    let sharedM: Uint8Array;
    try {
      sharedM = mlKemDecapsulate(secretM, ciphertext.subarray(0, ML_KEM_768.ciphertextBytes));
    } catch (cause) {
      // Only an invalid decapsulation key gets here (FIPS 203's hash check); ciphertexts are implicitly rejected.
      throw new EnvelopeError('DECRYPT_FAILED', 'X-Wing: the ML-KEM-768 decapsulation key is invalid', { cause });
    }
    return combine(sharedM, sharedX, ciphertextX, publicX);
  },
});

/** SHA3-256(ss_M ‖ ss_X ‖ ct_X ‖ pk_X ‖ XWingLabel); the component secrets are wiped once combined. */
function combine(sharedM: Uint8Array, sharedX: Uint8Array, ciphertextX: Uint8Array, publicX: Uint8Array): Uint8Array {
  const sharedSecret = platform.sha3_256([sharedM, sharedX, ciphertextX, publicX, LABEL]);
  sharedM.fill(0);
  sharedX.fill(0);
  return sharedSecret;
}
