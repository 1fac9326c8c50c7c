import { concatBytes, readU32, writeU32 } from '../bytes.js';
import { PREKEY_DOMAIN } from '../domains.js';
import { PrekeyError } from '../errors.js';
import type { Identity } from '../identity.js';
import { secureRandom } from '../random.js';
import { sodium } from '../sodium.js';
import { decodeSignedPrekey, encodeSignedPrekey } from './encoding.js';
import type { OwnedPrekey } from './generate.js';
import type { SignedPrekey } from './types.js';

/**
 * How a prekey secret is kept at rest: encrypted under a key derived from the
 * identity's secret signing seed, so it is protected exactly as the key file
 * is. With a passphrase-protected key file the seed is only ever in memory, and
 * so is the key to every prekey secret; the store's file alone reveals nothing.
 *
 *   record = version (1) = 0x01 ‖ prekey length (u32) ‖ signed prekey ‖ nonce (24)
 *            ‖ XChaCha20-Poly1305(secret key), additional data = everything before the nonce
 *   key    = BLAKE2b-256(message `herald/v2/prekey-storage`, key = the identity's Ed25519 seed)
 *
 * The public signed prekey stays readable, so a store can list and prune without the key.
 */
export const PREKEY_RECORD_VERSION = 1;
const NONCE_BYTES = 24;

export function prekeyStorageKey(identity: Identity): Uint8Array {
  return sodium.crypto_generichash(32, PREKEY_DOMAIN.prekeyStorage, identity.signingSeed);
}

export function sealPrekeyRecord(storageKey: Uint8Array, owned: OwnedPrekey): Uint8Array {
  const prekey = encodeSignedPrekey(owned.prekey);
  const header = new Uint8Array(5);
  header[0] = PREKEY_RECORD_VERSION;
  writeU32(header, 1, prekey.length);
  const associated = concatBytes([header, prekey]);
  const nonce = secureRandom(NONCE_BYTES);
  return concatBytes([associated, nonce, sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(owned.secretKey, associated, null, nonce, storageKey)]);
}

/** The public part of a record, readable without the key. PrekeyError BAD_PREKEY on a malformed record. */
export function prekeyOfRecord(record: Uint8Array): SignedPrekey {
  return decodeSignedPrekey(record.subarray(5, associatedLength(record)));
}

/** Decrypts a record. PrekeyError BAD_PREKEY when it is malformed, altered, or another identity's. */
export function openPrekeyRecord(storageKey: Uint8Array, record: Uint8Array): OwnedPrekey {
  const end = associatedLength(record);
  const prekey = decodeSignedPrekey(record.subarray(5, end));
  let secretKey: Uint8Array;
  try {
    secretKey = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, record.subarray(end + NONCE_BYTES), record.subarray(0, end), record.subarray(end, end + NONCE_BYTES), storageKey);
  } catch (cause) {
    throw new PrekeyError('BAD_PREKEY', 'prekey secret record does not decrypt: altered, or stored by another identity', { cause });
  }
  return Object.freeze({ prekey, secretKey });
}

function associatedLength(record: Uint8Array): number {
  if (record.length < 5 || record[0] !== PREKEY_RECORD_VERSION) throw new PrekeyError('BAD_PREKEY', 'prekey secret record is truncated or of an unknown version');
  const end = 5 + readU32(record, 1);
  if (end + NONCE_BYTES > record.length) throw new PrekeyError('BAD_PREKEY', 'prekey secret record is truncated');
  return end;
}
