import { concatBytes, readU32, writeU32 } from '../bytes.js';
import { PREKEY_DOMAIN } from '../domains.js';
import { PrekeyError } from '../errors.js';
import { isPrekeyKind, kemFor, PREKEY_KIND_CODES, prekeyKindFromCode } from './kinds.js';
import { PREKEY_ID_BYTES, type SignedPrekey } from './types.js';

/**
 * The byte-exact form of a signed prekey (docs/protocol.md section 16):
 *
 *   version (1) = 0x01 ‖ kind (1) ‖ flags (1, bit 0: one-time) ‖ id (8)
 *   ‖ created (u32) ‖ sealUntil (u32) ‖ openUntil (u32) ‖ public key (32 or 1,216)
 *   ‖ Ed25519 signature (64)
 *
 * The signature covers `herald/v2/prekey-signature` ‖ the owner's Ed25519 public
 * key ‖ every byte before the signature, so a prekey is bound to its owner.
 */
export const PREKEY_VERSION = 1;
const FLAG_ONE_TIME = 0x01;
const HEADER_BYTES = 3 + PREKEY_ID_BYTES + 12;
const SIGNATURE_BYTES = 64;

/** Encoded length of a prekey of the kind whose code is at `bytes[offset + 1]`; BAD_PREKEY for an unknown kind. */
export function encodedPrekeyLength(bytes: Uint8Array, offset = 0): number {
  return HEADER_BYTES + kemFor(prekeyKindFromCode(bytes[offset + 1])).publicKeyBytes + SIGNATURE_BYTES;
}

/** The bytes the signature covers, without its domain prefix and owner key. */
export function prekeySignedPart(prekey: Omit<SignedPrekey, 'signature'>): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + prekey.publicKey.length);
  out[0] = PREKEY_VERSION;
  out[1] = PREKEY_KIND_CODES[prekey.kind];
  out[2] = prekey.oneTime ? FLAG_ONE_TIME : 0;
  out.set(prekey.id, 3);
  writeU32(out, 3 + PREKEY_ID_BYTES, prekey.created);
  writeU32(out, 7 + PREKEY_ID_BYTES, prekey.sealUntil);
  writeU32(out, 11 + PREKEY_ID_BYTES, prekey.openUntil);
  out.set(prekey.publicKey, HEADER_BYTES);
  return out;
}

/** What the owner signs and a sender verifies. */
export function prekeySignatureMessage(ownerSigningKey: Uint8Array, prekey: Omit<SignedPrekey, 'signature'>): Uint8Array {
  return concatBytes([PREKEY_DOMAIN.prekeySignature, ownerSigningKey, prekeySignedPart(prekey)]);
}

export function encodeSignedPrekey(prekey: SignedPrekey): Uint8Array {
  return concatBytes([prekeySignedPart(prekey), prekey.signature]);
}

/**
 * Decodes one signed prekey, checking its structure only (the signature and
 * times against the clock are `verifySignedPrekey`'s). PrekeyError BAD_PREKEY on
 * a wrong length, unknown version or kind, reserved flag bits, or times out of order.
 */
export function decodeSignedPrekey(bytes: Uint8Array): SignedPrekey {
  if (bytes.length < HEADER_BYTES) throw new PrekeyError('BAD_PREKEY', 'signed prekey is truncated');
  if (bytes[0] !== PREKEY_VERSION) throw new PrekeyError('BAD_PREKEY', `signed prekey version ${bytes[0]} is not supported`);
  const kind = prekeyKindFromCode(bytes[1]);
  const expected = encodedPrekeyLength(bytes);
  if (bytes.length !== expected) throw new PrekeyError('BAD_PREKEY', `a ${kind} signed prekey is ${expected} bytes, got ${bytes.length}`);
  const flags = bytes[2] ?? 0;
  if ((flags & ~FLAG_ONE_TIME) !== 0) throw new PrekeyError('BAD_PREKEY', `signed prekey has reserved flag bits set (0x${flags.toString(16)})`);
  return assertWellFormedPrekey(
    Object.freeze({
      id: bytes.slice(3, 3 + PREKEY_ID_BYTES),
      kind,
      oneTime: (flags & FLAG_ONE_TIME) !== 0,
      publicKey: bytes.slice(HEADER_BYTES, bytes.length - SIGNATURE_BYTES),
      created: readU32(bytes, 3 + PREKEY_ID_BYTES),
      sealUntil: readU32(bytes, 7 + PREKEY_ID_BYTES),
      openUntil: readU32(bytes, 11 + PREKEY_ID_BYTES),
      signature: bytes.slice(bytes.length - SIGNATURE_BYTES),
    }),
  );
}

/**
 * Checks a prekey object's fields as decoding does (it may have been built by
 * hand, and the encoder would silently wrap an out-of-range time): known kind,
 * id, key and signature lengths, u32 times with created ≤ sealUntil ≤ openUntil.
 * Returns the prekey; PrekeyError BAD_PREKEY otherwise.
 */
export function assertWellFormedPrekey(prekey: SignedPrekey): SignedPrekey {
  if (!isPrekeyKind(prekey.kind)) throw new PrekeyError('BAD_PREKEY', `prekey kind ${JSON.stringify(prekey.kind)} is not known`);
  if (!(prekey.id instanceof Uint8Array) || prekey.id.length !== PREKEY_ID_BYTES) throw new PrekeyError('BAD_PREKEY', `a prekey id is ${PREKEY_ID_BYTES} bytes`);
  const keyBytes = kemFor(prekey.kind).publicKeyBytes;
  if (!(prekey.publicKey instanceof Uint8Array) || prekey.publicKey.length !== keyBytes) throw new PrekeyError('BAD_PREKEY', `a ${prekey.kind} prekey's public key is ${keyBytes} bytes`);
  if (!(prekey.signature instanceof Uint8Array) || prekey.signature.length !== SIGNATURE_BYTES) throw new PrekeyError('BAD_PREKEY', `a prekey signature is ${SIGNATURE_BYTES} bytes`);
  for (const field of ['created', 'sealUntil', 'openUntil'] as const) {
    const value = prekey[field];
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new PrekeyError('BAD_PREKEY', `prekey ${field} must be whole seconds between 1970 and 2106`);
  }
  if (prekey.sealUntil < prekey.created) throw new PrekeyError('BAD_PREKEY', 'signed prekey: sealUntil is before created');
  if (prekey.openUntil < prekey.sealUntil) throw new PrekeyError('BAD_PREKEY', 'signed prekey: openUntil is before sealUntil');
  return prekey;
}
