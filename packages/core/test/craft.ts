import { secureRandom, type Card, type Identity } from '@herald/core';
import { concatBytes, writeU32 } from '../src/bytes.js';
import { ENTRIES_OFFSET, entryBytes, headerBytes } from '../src/envelope/format.js';
import { contentNonce, keyEncryptionKey, messageIdFromEphemeral, signedMessage, xorInto } from '../src/envelope/keys.js';
import { sodium } from '../src/sodium.js';

/**
 * An envelope laid out by hand, as anyone holding the recipients' public cards can make one: any entries, any
 * inner part, signed by the crafter's own key. For tests of what `open` does with bytes `seal` never writes.
 */
export interface CraftInit {
  /** Signs the inner part (the crafter: any identity). */
  readonly from: Identity;
  /**
   * Recipient entries in order. A card gets a working wrap of the content key; bare bytes are a 16-byte
   * routing tag with a junk wrap (or, for one entry, a junk key). One entry must be a card for the AEAD key.
   */
  readonly entries: readonly (Card | Uint8Array)[];
  readonly body: Uint8Array;
  /** Inner meta byte. Default 0: ROUTINE, unpadded, full sender key. */
  readonly meta?: number;
  /** Encoded content type. Default 0x01, text/plain; charset=utf-8. */
  readonly contentType?: Uint8Array;
  /** Sender field. Default the signer's full key; the signed string always holds the full key. */
  readonly senderField?: Uint8Array;
  /** Bytes after the body, inside the AEAD and outside the signature (padding). Default none. */
  readonly trailer?: Uint8Array;
  /** Break the signature by flipping one of its bits. Default false. */
  readonly badSignature?: boolean;
  /** The ephemeral public key written in the header, in place of the real one (the AEAD key is then wrong). */
  readonly ephemeralOverride?: Uint8Array;
  /** Default now. */
  readonly nowMs?: number;
  /** Default 3600. */
  readonly ttl?: number;
}

/** The inner prefix before the body, in bytes, for the default content type and sender field. */
export const CRAFT_PREFIX_BYTES = 1 + 1 + 32 + 4 + 64;

export function craftEnvelope(init: CraftInit): Uint8Array {
  const count = init.entries.length;
  const created = Math.floor((init.nowMs ?? Date.now()) / 1000);
  const ephemeralSecret = secureRandom(32);
  const ephemeralPublicKey = sodium.crypto_scalarmult_base(ephemeralSecret);
  const written = init.ephemeralOverride ?? ephemeralPublicKey;
  const header = new Uint8Array(headerBytes(count));
  header[0] = 1;
  writeU32(header, 1, created + (init.ttl ?? 3600));
  header.set(written, 5);
  header[37] = count;
  const contentKey = secureRandom(32);
  init.entries.forEach((entry, index) => {
    const at = ENTRIES_OFFSET + index * entryBytes(count);
    if (entry instanceof Uint8Array) {
      header.set(entry, at);
      if (count > 1) header.set(secureRandom(32), at + 16);
      return;
    }
    header.set(entry.routingTag, at);
    const kek = keyEncryptionKey(sodium.crypto_scalarmult(ephemeralSecret, entry.agreementPublicKey), ephemeralPublicKey, entry.agreementPublicKey);
    if (count === 1) contentKey.set(kek);
    else header.set(xorInto(new Uint8Array(32), contentKey, kek), at + 16);
  });
  const meta = init.meta ?? 0;
  const type = init.contentType ?? Uint8Array.of(0x01);
  const createdBytes = new Uint8Array(4);
  writeU32(createdBytes, 0, created);
  const signature = sodium.crypto_sign_detached(signedMessage(header, meta, type, init.from.card.signingPublicKey, createdBytes, init.body), init.from.signingSecretKey);
  if (init.badSignature) signature[0]! ^= 1;
  const inner = concatBytes([Uint8Array.of(meta), type, init.senderField ?? init.from.card.signingPublicKey, createdBytes, signature, init.body, init.trailer ?? new Uint8Array(0)]);
  return concatBytes([header, sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(inner, header, null, contentNonce(messageIdFromEphemeral(written)), contentKey)]);
}
