import { concatBytes, writeU32 } from '../bytes.js';
import { EPOCH_DOMAIN } from '../domains.js';
import { KeyError, OptionsError } from '../errors.js';
import { sodium } from '../sodium.js';

/**
 * Ed25519 key blinding for epoch mailboxes (docs/protocol.md section 5.4): per epoch e of E seconds,
 * A_e = h·A with h = reduce(BLAKE2b-512("herald/v1/mailbox-blind" || u32 E || u64 e || A)).
 * h depends only on public values, so anyone holding the card computes A_e; only the seed's holder can sign for it.
 */

const MAX_EPOCH_SECONDS = 0xffffffff;

export function assertEpochSeconds(epochSeconds: number): void {
  if (!Number.isInteger(epochSeconds) || epochSeconds < 1 || epochSeconds > MAX_EPOCH_SECONDS) {
    throw new OptionsError(`epochSeconds: must be a whole number of seconds from 1 to ${MAX_EPOCH_SECONDS}, got ${epochSeconds}`);
  }
}

function assertEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new OptionsError(`epoch: must be a non-negative safe integer, got ${epoch}`);
}

/** The epoch number of a time: floor(unixSeconds / epochSeconds). */
export function epochOf(unixMs: number, epochSeconds: number): number {
  assertEpochSeconds(epochSeconds);
  if (!Number.isFinite(unixMs) || unixMs < 0) throw new OptionsError(`epochOf: time must be a non-negative number of ms, got ${unixMs}`);
  return Math.floor(Math.floor(unixMs / 1000) / epochSeconds);
}

/** h for (A, E, e), a scalar mod L. Exported for the test vectors. */
export function blindingFactor(signingPublicKey: Uint8Array, epochSeconds: number, epoch: number): Uint8Array {
  assertEpochSeconds(epochSeconds);
  assertEpoch(epoch);
  if (signingPublicKey.length !== 32) throw new KeyError('BAD_CARD', 'signing public key must be 32 bytes');
  const counters = new Uint8Array(12);
  writeU32(counters, 0, epochSeconds);
  writeU32(counters, 4, Math.floor(epoch / 0x1_0000_0000));
  writeU32(counters, 8, epoch >>> 0);
  const wide = sodium.crypto_generichash(64, concatBytes([EPOCH_DOMAIN.mailboxBlind, counters, signingPublicKey]), null);
  const factor = sodium.crypto_core_ed25519_scalar_reduce(wide);
  if (factor.every((byte) => byte === 0)) throw new KeyError('BAD_CARD', 'blinding factor is zero');
  return factor;
}

/** A_e: the blinded Ed25519 public key of one epoch's mailbox. */
export function blindedMailboxKey(signingPublicKey: Uint8Array, epochSeconds: number, epoch: number): Uint8Array {
  const factor = blindingFactor(signingPublicKey, epochSeconds, epoch);
  try {
    return sodium.crypto_scalarmult_ed25519_noclamp(factor, signingPublicKey);
  } catch (cause) {
    throw new KeyError('BAD_CARD', 'signing public key is not a usable Ed25519 point', { cause });
  }
}
