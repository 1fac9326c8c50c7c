import { DEFAULT_MAX_CLOCK_SKEW_SECONDS } from '../envelope/open.js';
import { OptionsError, PrekeyError } from '../errors.js';
import { sodium } from '../sodium.js';
import { assertWellFormedPrekey, prekeySignatureMessage } from './encoding.js';
import type { SignedPrekey } from './types.js';

export interface VerifyPrekeyOptions {
  /** The time to judge expiry by, in ms since the epoch. Default: `Date.now()`. */
  readonly now?: number;
  /** Seconds a prekey stays usable past its sealUntil, for clocks that disagree. Default 300, as for `open`. */
  readonly maxClockSkewSeconds?: number;
}

/**
 * Checks that a signed prekey may be sealed to now: well formed, signed by
 * `ownerSigningKey` (the owner's card's Ed25519 key) over exactly these fields,
 * and `sealUntil + skew` not yet passed. PrekeyError BAD_PREKEY for the first
 * three, PREKEY_EXPIRED for the last. Returns the prekey.
 */
export function verifySignedPrekey(prekey: SignedPrekey, ownerSigningKey: Uint8Array, options: VerifyPrekeyOptions = {}): SignedPrekey {
  const skew = options.maxClockSkewSeconds ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS;
  if (!Number.isInteger(skew) || skew < 0) throw new OptionsError(`maxClockSkewSeconds: expected a non-negative integer, got ${String(skew)}`);
  assertWellFormedPrekey(prekey);
  if (ownerSigningKey.length !== 32) throw new PrekeyError('BAD_PREKEY', 'the owner signing key must be 32 bytes');
  if (!sodium.crypto_sign_verify_detached(prekey.signature, prekeySignatureMessage(ownerSigningKey, prekey), ownerSigningKey)) {
    throw new PrekeyError('BAD_PREKEY', 'prekey signature does not verify under the owner\'s signing key (altered, or signed by another identity)');
  }
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (prekey.sealUntil + skew < nowSeconds) {
    throw new PrekeyError('PREKEY_EXPIRED', `prekey sealUntil ${new Date(prekey.sealUntil * 1000).toISOString()} has passed`);
  }
  return prekey;
}
