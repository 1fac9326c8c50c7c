import { EnvelopeError } from '../../errors.js';
import type { Kem, PrekeyKind } from '../../prekey/types.js';
import { x25519Kem } from '../../prekey/x25519-kem.js';
import { xwingKem } from '../../prekey/xwing.js';

/** The KEM of each prekey kind this build supports. */
const KEMS: Partial<Record<PrekeyKind, Kem>> = { x25519: x25519Kem, xwing: xwingKem };

/** Bytes of encapsulation randomness each kind takes (the Kem contract: X-Wing 64, x25519 32). */
export const ENCAPSULATION_RANDOM_BYTES: Readonly<Record<PrekeyKind, number>> = { x25519: 32, xwing: 64 };

export function kemFor(kind: PrekeyKind): Kem {
  const kem = KEMS[kind];
  if (!kem) throw new EnvelopeError('UNSUPPORTED_VERSION', `prekey kind ${kind} is not supported by this build`);
  return kem;
}

/** The prekey kinds this build can seal to and open. */
export function supportedKinds(): PrekeyKind[] {
  return Object.keys(KEMS) as PrekeyKind[];
}
