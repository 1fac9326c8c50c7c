import { concatBytes } from '../bytes.js';
import { DOMAIN } from '../domains.js';
import { sodium } from '../sodium.js';

/** The 128-bit message id: BLAKE2b-128 of the ephemeral public key, keyed by a domain string. */
export function messageIdFromEphemeral(ephemeralPublicKey: Uint8Array): Uint8Array {
  return sodium.crypto_generichash(16, ephemeralPublicKey, DOMAIN.messageId);
}

/** Key-encryption key for one recipient: BLAKE2b-256 keyed by the X25519 shared secret. */
export function keyEncryptionKey(sharedSecret: Uint8Array, ephemeralPublicKey: Uint8Array, recipientAgreementKey: Uint8Array): Uint8Array {
  return sodium.crypto_generichash(32, concatBytes([DOMAIN.keyEncryptionKey, ephemeralPublicKey, recipientAgreementKey]), sharedSecret);
}

/** The content key is fresh for every message, so the nonce only needs to be fixed per message: id || 8 zero bytes. */
export function contentNonce(messageId: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(24);
  nonce.set(messageId, 0);
  return nonce;
}

export function xorInto(target: Uint8Array, a: Uint8Array, b: Uint8Array): Uint8Array {
  for (let index = 0; index < target.length; index++) target[index] = (a[index] ?? 0) ^ (b[index] ?? 0);
  return target;
}

/** What the sender signs: the version's signature domain, the whole header, then the inner fields (docs/protocol.md §7.7). */
export function signedMessage(header: Uint8Array, meta: number, contentType: Uint8Array, senderSigningKey: Uint8Array, created: Uint8Array, body: Uint8Array, domain: Uint8Array = DOMAIN.envelopeSignature): Uint8Array {
  return concatBytes([domain, header, Uint8Array.of(meta), contentType, senderSigningKey, created, body]);
}
