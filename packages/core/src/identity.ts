import { concatBytes } from './bytes.js';
import { buildCard, cardSignedPart, validateLabel, type Card } from './card.js';
import { DOMAIN } from './domains.js';
import { assertEpochSeconds } from './epoch/blinding.js';
import { OptionsError } from './errors.js';
import { secureRandom, type RandomSource } from './random.js';
import { sodium } from './sodium.js';

/** A person's or device's keys: Ed25519 for signing, X25519 for key agreement, and the public card. */
export interface Identity {
  readonly card: Card;
  /** 32-byte Ed25519 seed; the signing key pair is derived from it. */
  readonly signingSeed: Uint8Array;
  /** libsodium's 64-byte Ed25519 secret key (seed || public key). */
  readonly signingSecretKey: Uint8Array;
  /** 32-byte X25519 secret scalar. */
  readonly agreementSecretKey: Uint8Array;
}

export interface GenerateIdentityInit {
  /** Shown to contacts; at most 64 UTF-8 bytes, no control characters. Default: empty. */
  readonly label?: string;
  /** Creation time in ms since the epoch. Default: `Date.now()`. */
  readonly now?: number;
  /**
   * Epoch routing tags (docs/protocol.md section 5.4): the epoch length in seconds, 1 to 2^32 − 1. Given, the card is
   * version 2 and envelopes for it carry a tag that changes every epoch. Default: none (version-1 card, one static tag).
   */
  readonly epochSeconds?: number;
  /** Source of secret randomness. Default: node's CSPRNG. Only test vectors pass another. */
  readonly random?: RandomSource;
}

export function generateIdentity(init: GenerateIdentityInit = {}): Identity {
  const random = init.random ?? secureRandom;
  const seeds = random(64);
  const created = Math.floor((init.now ?? Date.now()) / 1000);
  return identityFromSecrets(seeds.subarray(0, 32), seeds.subarray(32, 64), init.label ?? '', created, init.epochSeconds);
}

/** Rebuilds an identity from its secret parts; the card (version 2 with `epochSeconds`) is re-derived and re-signed deterministically. */
export function identityFromSecrets(signingSeed: Uint8Array, agreementSecretKey: Uint8Array, label: string, createdSeconds: number, epochSeconds?: number): Identity {
  if (signingSeed.length !== 32 || agreementSecretKey.length !== 32) throw new OptionsError('identity secrets must be 32 bytes each');
  const labelProblem = validateLabel(label);
  if (labelProblem) throw new OptionsError(`label: ${labelProblem}`);
  if (!Number.isInteger(createdSeconds) || createdSeconds < 0 || createdSeconds > 0xffffffff) {
    throw new OptionsError('created: must be a time between 1970 and 2106');
  }
  if (epochSeconds !== undefined) assertEpochSeconds(epochSeconds);
  const signing = sodium.crypto_sign_seed_keypair(signingSeed);
  const agreementPublicKey = sodium.crypto_scalarmult_base(agreementSecretKey);
  const signedPart = cardSignedPart(signing.publicKey, agreementPublicKey, label, createdSeconds, epochSeconds);
  const signature = sodium.crypto_sign_detached(concatBytes([DOMAIN.cardSignature, signedPart]), signing.privateKey);
  return Object.freeze({
    card: buildCard(signedPart, signature),
    signingSeed: signingSeed.slice(),
    signingSecretKey: signing.privateKey,
    agreementSecretKey: agreementSecretKey.slice(),
  });
}
