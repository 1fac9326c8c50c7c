import { MAX_TTL_SECONDS } from '../envelope/seal.js';
import { OptionsError } from '../errors.js';
import type { Identity } from '../identity.js';
import { secureRandom, type RandomSource } from '../random.js';
import { sodium } from '../sodium.js';
import { prekeySignatureMessage } from './encoding.js';
import { isPrekeyKind, kemFor } from './kinds.js';
import { PREKEY_ID_BYTES, type PrekeyKind, type SignedPrekey } from './types.js';

/** How often an identity should make a new medium-term prekey (the node's policy; recorded here with the other defaults). */
export const DEFAULT_PREKEY_ROTATION_SECONDS = 24 * 3600;
/** Default time senders may seal to a new prekey: 48 h. */
export const DEFAULT_SEAL_FOR_SECONDS = 48 * 3600;
/** Default time after sealUntil that the owner keeps the secret: 7 days. */
export const DEFAULT_OPEN_FOR_SECONDS = 7 * 24 * 3600;
/** The shortest sealFor / openFor: a minute. */
export const MIN_PREKEY_PERIOD_SECONDS = 60;
export const MAX_PREKEYS_PER_CALL = 255;

export interface GeneratePrekeysInit {
  /** Default `xwing`; `x25519` for channels where X-Wing's 1,120-byte ciphertext does not fit. */
  readonly kind?: PrekeyKind;
  /** How many prekeys to make, 1 to 255. Default 1. */
  readonly count?: number;
  /** One-time prekeys (each for one envelope only) rather than medium-term ones. Default false. */
  readonly oneTime?: boolean;
  /** sealUntil = now + sealForSeconds. 60 s to 400 days; default 48 h. */
  readonly sealForSeconds?: number;
  /** openUntil = sealUntil + openForSeconds. 60 s to 400 days; default 7 days. */
  readonly openForSeconds?: number;
  /** Creation time in ms since the epoch. Default: `Date.now()`. */
  readonly now?: number;
  /** Source of secret randomness. Default: node's CSPRNG. Only test vectors pass another. */
  readonly random?: RandomSource;
}

/** A prekey as its owner keeps it: the signed public part and the KEM secret key. */
export interface OwnedPrekey {
  readonly prekey: SignedPrekey;
  /** The KEM's secret key (x25519: 32 bytes; xwing: the expanded 2,464-byte key). Kept in a PrekeySecretStore, never sent. */
  readonly secretKey: Uint8Array;
}

/** Makes `count` prekeys of one kind, each with a fresh random id and key, signed by the identity's Ed25519 key. */
export function generatePrekeys(identity: Identity, init: GeneratePrekeysInit = {}): OwnedPrekey[] {
  const kind = init.kind ?? 'xwing';
  if (!isPrekeyKind(kind)) throw new OptionsError(`kind: expected xwing or x25519, got ${JSON.stringify(kind)}`);
  const count = init.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_PREKEYS_PER_CALL) throw new OptionsError(`count: expected an integer from 1 to ${MAX_PREKEYS_PER_CALL}, got ${String(count)}`);
  const sealFor = period('sealForSeconds', init.sealForSeconds ?? DEFAULT_SEAL_FOR_SECONDS);
  const openFor = period('openForSeconds', init.openForSeconds ?? DEFAULT_OPEN_FOR_SECONDS);
  const created = Math.floor((init.now ?? Date.now()) / 1000);
  if (!Number.isInteger(created) || created < 0 || created + sealFor + openFor > 0xffffffff) throw new OptionsError('now: the prekey times must fall between 1970 and 2106');
  const random = init.random ?? secureRandom;
  const kem = kemFor(kind);
  const owned: OwnedPrekey[] = [];
  for (let index = 0; index < count; index++) {
    const id = random(PREKEY_ID_BYTES);
    const seed = random(32);
    const pair = kem.generateKeyPair(seed);
    seed.fill(0);
    const fields = { id, kind, oneTime: init.oneTime ?? false, publicKey: pair.publicKey, created, sealUntil: created + sealFor, openUntil: created + sealFor + openFor };
    const signature = sodium.crypto_sign_detached(prekeySignatureMessage(identity.card.signingPublicKey, fields), identity.signingSecretKey);
    owned.push(Object.freeze({ prekey: Object.freeze({ ...fields, signature }), secretKey: pair.secretKey }));
  }
  return owned;
}

function period(name: string, seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < MIN_PREKEY_PERIOD_SECONDS || seconds > MAX_TTL_SECONDS) {
    throw new OptionsError(`${name}: expected whole seconds from ${MIN_PREKEY_PERIOD_SECONDS} to ${MAX_TTL_SECONDS} (400 days), got ${String(seconds)}`);
  }
  return seconds;
}
