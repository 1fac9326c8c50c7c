import { concatBytes, toBase64Url, toHex } from '../bytes.js';
import type { Card } from '../card.js';
import { PrekeyError } from '../errors.js';
import { constantTimeEqual } from '../sodium.js';
import { decodeTextLine } from '../text-line.js';
import { decodeSignedPrekey, encodedPrekeyLength, encodeSignedPrekey } from './encoding.js';
import type { SignedPrekey } from './types.js';
import { verifySignedPrekey, type VerifyPrekeyOptions } from './verify.js';

/**
 * A prekey bundle: what an identity publishes so others can seal to it with
 * envelope version 2. Byte-exact (docs/protocol.md section 16):
 *
 *   version (1) = 0x01 ‖ owner's Ed25519 public key (32) ‖ count (1, 1..255) ‖ count signed prekeys
 *
 * The bundle itself is not signed: each prekey is, over the owner's key, so a
 * carrier can drop prekeys from a bundle but cannot add, alter or move one.
 */
export interface PrekeyBundle {
  /** The owner's Ed25519 signing public key, as on its card. */
  readonly owner: Uint8Array;
  readonly prekeys: readonly SignedPrekey[];
}

export const PREKEY_BUNDLE_VERSION = 1;
export const MAX_BUNDLE_PREKEYS = 255;
export const PREKEY_BUNDLE_TEXT_PREFIX = 'herald-prekeys:';
const BUNDLE_HEADER_BYTES = 34;

export function encodePrekeyBundle(bundle: PrekeyBundle): Uint8Array {
  if (bundle.owner.length !== 32) throw new PrekeyError('BAD_PREKEY', 'a bundle owner key is 32 bytes');
  if (bundle.prekeys.length < 1 || bundle.prekeys.length > MAX_BUNDLE_PREKEYS) throw new PrekeyError('BAD_PREKEY', `a bundle holds 1 to ${MAX_BUNDLE_PREKEYS} prekeys, not ${bundle.prekeys.length}`);
  const header = new Uint8Array(BUNDLE_HEADER_BYTES);
  header[0] = PREKEY_BUNDLE_VERSION;
  header.set(bundle.owner, 1);
  header[33] = bundle.prekeys.length;
  return concatBytes([header, ...bundle.prekeys.map(encodeSignedPrekey)]);
}

/** Decodes a bundle's structure (signatures and expiry are `verifyPrekeyBundle`'s). PrekeyError BAD_PREKEY on any defect. */
export function decodePrekeyBundle(bytes: Uint8Array): PrekeyBundle {
  if (bytes.length < BUNDLE_HEADER_BYTES) throw new PrekeyError('BAD_PREKEY', 'prekey bundle is truncated');
  if (bytes[0] !== PREKEY_BUNDLE_VERSION) throw new PrekeyError('BAD_PREKEY', `prekey bundle version ${bytes[0]} is not supported`);
  const count = bytes[33] ?? 0;
  if (count === 0) throw new PrekeyError('BAD_PREKEY', 'prekey bundle lists no prekeys');
  const prekeys: SignedPrekey[] = [];
  let offset = BUNDLE_HEADER_BYTES;
  for (let index = 0; index < count; index++) {
    if (offset + 2 > bytes.length) throw new PrekeyError('BAD_PREKEY', `prekey bundle is truncated at prekey ${index + 1} of ${count}`);
    const end = offset + encodedPrekeyLength(bytes, offset);
    if (end > bytes.length) throw new PrekeyError('BAD_PREKEY', `prekey bundle is truncated at prekey ${index + 1} of ${count}`);
    prekeys.push(decodeSignedPrekey(bytes.subarray(offset, end)));
    offset = end;
  }
  if (offset !== bytes.length) throw new PrekeyError('BAD_PREKEY', 'prekey bundle has bytes after its last prekey');
  return Object.freeze({ owner: bytes.slice(1, 33), prekeys: Object.freeze(prekeys) });
}

/**
 * Checks a bundle against the card of the identity it claims to be for, and
 * returns the prekeys a sender may seal to now. PrekeyError BAD_PREKEY when the
 * bundle is for another identity, lists an id twice, or any prekey is malformed
 * or not signed by the card's key (one bad prekey condemns the whole bundle: it
 * was tampered with). Prekeys whose sealUntil has passed are left out (a bundle
 * normally carries the previous medium-term prekey for a while);
 * PREKEY_EXPIRED when none is left.
 */
export function verifyPrekeyBundle(bundle: PrekeyBundle, card: Card, options: VerifyPrekeyOptions = {}): readonly SignedPrekey[] {
  if (bundle.owner.length !== 32 || !constantTimeEqual(bundle.owner, card.signingPublicKey)) {
    throw new PrekeyError('BAD_PREKEY', `prekey bundle is for another identity than ${card.fingerprint}`);
  }
  const ids = new Set<string>();
  const usable: SignedPrekey[] = [];
  let expired: PrekeyError | undefined;
  for (const prekey of bundle.prekeys) {
    const id = toHex(prekey.id);
    if (ids.has(id)) throw new PrekeyError('BAD_PREKEY', `prekey bundle lists prekey ${id} twice`);
    ids.add(id);
    try {
      usable.push(verifySignedPrekey(prekey, card.signingPublicKey, options));
    } catch (error) {
      if (!(error instanceof PrekeyError && error.code === 'PREKEY_EXPIRED')) throw error;
      expired = error;
    }
  }
  if (usable.length === 0) throw expired ?? new PrekeyError('BAD_PREKEY', 'prekey bundle lists no prekeys');
  return Object.freeze(usable);
}

/** One line of text: `herald-prekeys:` followed by the bundle in base64url. */
export function prekeyBundleToText(bundle: PrekeyBundle): string {
  return PREKEY_BUNDLE_TEXT_PREFIX + toBase64Url(encodePrekeyBundle(bundle));
}

/** Parses the text form (surrounding whitespace and `#` comment lines ignored). PrekeyError BAD_PREKEY on any defect. */
export function parsePrekeyBundle(text: string): PrekeyBundle {
  return decodePrekeyBundle(decodeTextLine(text, PREKEY_BUNDLE_TEXT_PREFIX, (message, cause) => new PrekeyError('BAD_PREKEY', `prekey bundle: ${message}`, { cause })));
}
