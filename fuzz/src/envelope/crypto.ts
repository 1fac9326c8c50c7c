import sodium from 'libsodium-wrappers-sumo';
import { fromHex, envelopeId, type Identity } from '@herald/core';

/**
 * A hostile sender's toolkit, written from docs/protocol.md (section "Envelope
 * format"): with the recipient's keys the fuzzer can decrypt a seed's inner
 * part, alter it and seal it again, and with the sender's keys re-sign it, so
 * mutations reach the checks behind the AEAD and the signature instead of all
 * ending at DECRYPT_FAILED. Core's own sealing code is deliberately not reused:
 * a shared mistake would hide itself.
 */
await sodium.ready;

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const KEK_DOMAIN = utf8('herald/v1/kek');
const SIGNATURE_DOMAIN = utf8('herald/v1/envelope-signature');
const COUNT_OFFSET = 37;
const ENTRIES_OFFSET = 38;
const EPHEMERAL_OFFSET = 5;

/**
 * Bytes derived from the run's seed (BLAKE2b of seed and label): the fuzzed
 * identities' keys and the seeds' ephemeral keys, so that a replayed run
 * (same seed) builds the same envelopes and a failing input reproduces. Test
 * material only: never keys anyone uses.
 */
export function derivedBytes(seed: number, label: string, length = 32): Uint8Array {
  return sodium.crypto_generichash(length, utf8(`herald-fuzz/${seed}/${label}`), null);
}

/** The parts joined, as a plain Uint8Array. */
export const concat = (parts: readonly Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

export function headerLength(envelope: Uint8Array): number {
  const count = envelope[COUNT_OFFSET] ?? 0;
  return ENTRIES_OFFSET + count * (count === 1 ? 16 : 48);
}

/** What sealing the inner part again needs: the outer header (the AEAD's additional data), nonce and content key. */
export interface SealingContext {
  readonly header: Uint8Array;
  readonly nonce: Uint8Array;
  readonly key: Uint8Array;
}

/** The content key of an envelope sealed to `recipient` (entry `index` of the recipient list). */
export function sealingContext(envelope: Uint8Array, recipient: Identity, index: number): SealingContext {
  const header = envelope.slice(0, headerLength(envelope));
  const ephemeral = envelope.subarray(EPHEMERAL_OFFSET, EPHEMERAL_OFFSET + 32);
  const shared = sodium.crypto_scalarmult(recipient.agreementSecretKey, ephemeral);
  const kek = sodium.crypto_generichash(32, concat([KEK_DOMAIN, ephemeral, recipient.card.agreementPublicKey]), shared);
  const count = envelope[COUNT_OFFSET] ?? 0;
  let key = kek;
  if (count > 1) {
    const wrap = envelope.subarray(ENTRIES_OFFSET + index * 48 + 16, ENTRIES_OFFSET + (index + 1) * 48);
    key = kek.map((byte, at) => byte ^ (wrap[at] ?? 0));
  }
  const nonce = new Uint8Array(24);
  nonce.set(fromHex(envelopeId(envelope)));
  return { header, nonce, key };
}

export function decryptInner(envelope: Uint8Array, context: SealingContext): Uint8Array {
  return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, envelope.subarray(context.header.length), context.header, context.nonce, context.key);
}

/** The envelope with `inner` sealed under `header` (the header's expiry may differ from the seed's; the key does not depend on it). */
export function sealInner(inner: Uint8Array, context: SealingContext, header: Uint8Array = context.header): Uint8Array {
  return concat([header, sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(inner, header, null, context.nonce, context.key)]);
}

/** The sender's Ed25519 signature over header, meta, content type, signing key, created and body. */
export function signInner(sender: Identity, header: Uint8Array, meta: number, contentType: Uint8Array, created: Uint8Array, body: Uint8Array): Uint8Array {
  return sodium.crypto_sign_detached(concat([SIGNATURE_DOMAIN, header, Uint8Array.of(meta), contentType, sender.card.signingPublicKey, created, body]), sender.signingSecretKey);
}
