import { concatBytes } from '../bytes.js';
import { EPOCH_DOMAIN } from '../domains.js';
import type { Identity } from '../identity.js';
import { sodium } from '../sodium.js';
import { blindingFactor } from './blinding.js';
import { cardEpochSeconds, epochTagOfKey } from './tags.js';

/** One epoch's mailbox of an identity: its blinded key, tag, and a signer whose signatures verify under that key. */
export interface BlindedMailbox {
  readonly epoch: number;
  /** A_e, 32 bytes. */
  readonly publicKey: Uint8Array;
  /** tag_e, 16 bytes. */
  readonly tag: Uint8Array;
  /** A standard Ed25519 signature by a_e (verifies with crypto_sign_verify_detached under `publicKey`). */
  sign(message: Uint8Array): Uint8Array;
}

/** The Ed25519 secret scalar a = clamp(SHA-512(seed)[0..32]) and the nonce half SHA-512(seed)[32..64]. */
function expandSeed(seed: Uint8Array): { scalar: Uint8Array; nonceHalf: Uint8Array; expanded: Uint8Array } {
  const expanded = sodium.crypto_hash_sha512(seed);
  const scalar = expanded.slice(0, 32);
  scalar[0]! &= 248;
  scalar[31]! &= 127;
  scalar[31]! |= 64;
  return { scalar, nonceHalf: expanded.subarray(32, 64), expanded };
}

function reduce64(bytes: Uint8Array): Uint8Array {
  const scalar = sodium.crypto_core_ed25519_scalar_reduce(bytes);
  sodium.memzero(bytes);
  return scalar;
}

export function blindedMailbox(identity: Identity, epoch: number): BlindedMailbox {
  const epochSeconds = cardEpochSeconds(identity.card);
  const factor = blindingFactor(identity.card.signingPublicKey, epochSeconds, epoch);
  const publicKey = sodium.crypto_scalarmult_ed25519_noclamp(factor, identity.card.signingPublicKey);
  const tag = epochTagOfKey(publicKey);
  const sign = (message: Uint8Array): Uint8Array => {
    const { scalar, nonceHalf, expanded } = expandSeed(identity.signingSeed);
    const blindedScalar = sodium.crypto_core_ed25519_scalar_mul(factor, scalar);
    const prefix = sodium.crypto_generichash(32, concatBytes([nonceHalf, publicKey]), EPOCH_DOMAIN.mailboxNonce);
    sodium.memzero(scalar);
    sodium.memzero(expanded);
    const nonceInput = concatBytes([prefix, message]);
    sodium.memzero(prefix);
    const nonce = reduce64(sodium.crypto_hash_sha512(nonceInput));
    sodium.memzero(nonceInput);
    const commitment = sodium.crypto_scalarmult_ed25519_base_noclamp(nonce);
    const challenge = reduce64(sodium.crypto_hash_sha512(concatBytes([commitment, publicKey, message])));
    const product = sodium.crypto_core_ed25519_scalar_mul(challenge, blindedScalar);
    const response = sodium.crypto_core_ed25519_scalar_add(nonce, product);
    sodium.memzero(product);
    sodium.memzero(nonce);
    sodium.memzero(blindedScalar);
    return concatBytes([commitment, response]);
  };
  return Object.freeze({ epoch, publicKey, tag, sign });
}
