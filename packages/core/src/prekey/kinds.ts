import { PrekeyError } from '../errors.js';
import type { Kem, PrekeyKind } from './types.js';
import { x25519Kem } from './x25519-kem.js';
import { xwingKem } from './xwing.js';

/** The wire code of each prekey kind (docs/protocol.md section 16). */
export const PREKEY_KIND_CODES: Readonly<Record<PrekeyKind, number>> = Object.freeze({ xwing: 0x01, x25519: 0x02 });

const KEMS: Readonly<Record<PrekeyKind, Kem>> = Object.freeze({ xwing: xwingKem, x25519: x25519Kem });

/** The KEM of a prekey kind. */
export function kemFor(kind: PrekeyKind): Kem {
  return KEMS[kind];
}

/** The kind a wire code names; PrekeyError BAD_PREKEY for an unknown code. */
export function prekeyKindFromCode(code: number | undefined): PrekeyKind {
  if (code === PREKEY_KIND_CODES.xwing) return 'xwing';
  if (code === PREKEY_KIND_CODES.x25519) return 'x25519';
  throw new PrekeyError('BAD_PREKEY', `prekey kind 0x${(code ?? 0).toString(16).padStart(2, '0')} is not known`);
}

export function isPrekeyKind(value: unknown): value is PrekeyKind {
  return value === 'xwing' || value === 'x25519';
}
