import { concatBytes } from '../../bytes.js';
import { ENVELOPE_V2_DOMAIN } from '../../domains.js';
import { sodium } from '../../sodium.js';
import type { EntryV2 } from './format.js';
import { PREKEY_KIND_CODES } from '../../prekey/kinds.js';

/** The v2 message id: BLAKE2b-128 of the ephemeral public key, keyed by the v2 domain string. */
export function messageIdV2(ephemeralPublicKey: Uint8Array): Uint8Array {
  return sodium.crypto_generichash(16, ephemeralPublicKey, ENVELOPE_V2_DOMAIN.messageId);
}

/**
 * Key-encryption key for one recipient. BLAKE2b-256 keyed by both secrets, the
 * prekey's KEM shared secret and the X25519 agreement of E with the recipient's
 * identity key (32 + 32 = 64 bytes, BLAKE2b's longest key), over the domain and
 * everything that names the exchange: kind, E, the identity key, the prekey id
 * and the KEM ciphertext. Either secret alone leaves the key unknown.
 */
export function keyEncryptionKeyV2(kemSharedSecret: Uint8Array, identityAgreement: Uint8Array, ephemeralPublicKey: Uint8Array, recipientAgreementKey: Uint8Array, entry: Pick<EntryV2, 'kind' | 'prekeyId' | 'kemCiphertext'>): Uint8Array {
  const key = concatBytes([kemSharedSecret, identityAgreement]);
  const message = concatBytes([ENVELOPE_V2_DOMAIN.keyEncryptionKey, Uint8Array.of(PREKEY_KIND_CODES[entry.kind]), ephemeralPublicKey, recipientAgreementKey, entry.prekeyId, entry.kemCiphertext]);
  const kek = sodium.crypto_generichash(32, message, key);
  key.fill(0);
  return kek;
}
