import { writeU32 } from '../../bytes.js';
import type { Card } from '../../card.js';
import { ENVELOPE_V2_DOMAIN } from '../../domains.js';
import { routingTagAt } from '../../epoch/tags.js';
import type { PrekeyKind, SignedPrekey } from '../../prekey/types.js';
import { secureRandom } from '../../random.js';
import { sodium } from '../../sodium.js';
import { COUNT_OFFSET, ENTRIES_OFFSET, EPHEMERAL_OFFSET, TAG_BYTES } from '../format.js';
import { xorInto } from '../keys.js';
import { agreeWithRecipient, checkRecipientCards, prepareContent, sealContent, type SealContentOptions } from '../seal-common.js';
import { kemFor, PREKEY_KIND_CODES } from '../../prekey/kinds.js';
import { ENTRY_FIXED_BYTES, ENVELOPE_V2_VERSION, entryBytesV2 } from './format.js';
import { keyEncryptionKeyV2, messageIdV2 } from './keys.js';
import { checkPrekeyForSealing } from './prekey-check.js';

/** Bytes of encapsulation randomness each kind takes (the Kem contract), drawn only from a replayed `random` (test vectors). */
const ENCAPSULATION_RANDOM_BYTES: Readonly<Record<PrekeyKind, number>> = { xwing: 64, x25519: 32 };

/** One recipient of a version-2 envelope: the contact card and one of its signed prekeys. */
export interface SealV2Recipient {
  readonly card: Card;
  /** Checked at sealing: signed by `card`'s identity, `sealUntil` not passed, `openUntil` not before the envelope expires. */
  readonly prekey: SignedPrekey;
}

export interface SealV2Options extends SealContentOptions {
  /** One recipient or up to 255 with distinct cards, each with its own prekey. Kinds may differ; the envelope is post-quantum only if all are `xwing`. */
  readonly to: SealV2Recipient | readonly SealV2Recipient[];
}

/**
 * Seals `plaintext` as a version-2 envelope: forward secret (each recipient's
 * key needs its prekey secret, deleted by its owner at `openUntil` or after one
 * use) and, with X-Wing prekeys, post-quantum. Returns the envelope bytes.
 */
export function sealV2(plaintext: Uint8Array | string, options: SealV2Options): Uint8Array {
  const content = prepareContent(plaintext, options);
  const recipients: readonly SealV2Recipient[] = Array.isArray(options.to) ? options.to : [options.to as SealV2Recipient];
  checkRecipientCards(recipients.map((recipient) => recipient?.card));
  for (const recipient of recipients) checkPrekeyForSealing(recipient.card, recipient.prekey, content);
  const random = options.random ?? secureRandom;
  const count = recipients.length;

  const ephemeralSecret = random(32);
  const ephemeralPublicKey = sodium.crypto_scalarmult_base(ephemeralSecret);
  const contentKey = count === 1 ? new Uint8Array(32) : random(32);

  const header = new Uint8Array(ENTRIES_OFFSET + recipients.reduce((sum, { prekey }) => sum + entryBytesV2(prekey.kind, count), 0));
  header[0] = ENVELOPE_V2_VERSION;
  writeU32(header, 1, content.expiresSeconds);
  header.set(ephemeralPublicKey, EPHEMERAL_OFFSET);
  header[COUNT_OFFSET] = count;

  let offset = ENTRIES_OFFSET;
  for (const { card, prekey } of recipients) {
    const kem = kemFor(prekey.kind);
    // Only a replayed source (test vectors) is passed on: the KEMs' own fresh randomness takes their fastest path.
    const { ciphertext, sharedSecret } = options.random ? kem.encapsulate(prekey.publicKey, random(ENCAPSULATION_RANDOM_BYTES[prekey.kind])) : kem.encapsulate(prekey.publicKey);
    // A version-2 card gets the epoch tag of the sealing time (the sender's clock).
    header.set(routingTagAt(card, content.nowSeconds * 1000), offset);
    header[offset + TAG_BYTES] = PREKEY_KIND_CODES[prekey.kind];
    header.set(prekey.id, offset + TAG_BYTES + 1);
    header.set(ciphertext, offset + ENTRY_FIXED_BYTES);
    const agreement = agreeWithRecipient(ephemeralSecret, card);
    const kek = keyEncryptionKeyV2(sharedSecret, agreement, ephemeralPublicKey, card.agreementPublicKey, { kind: prekey.kind, prekeyId: prekey.id, kemCiphertext: ciphertext });
    sharedSecret.fill(0);
    agreement.fill(0);
    const wrapOffset = offset + ENTRY_FIXED_BYTES + ciphertext.length;
    if (count === 1) contentKey.set(kek);
    else header.set(xorInto(new Uint8Array(32), contentKey, kek), wrapOffset);
    kek.fill(0);
    offset += entryBytesV2(prekey.kind, count);
  }
  ephemeralSecret.fill(0);
  return sealContent(header, contentKey, messageIdV2(ephemeralPublicKey), ENVELOPE_V2_DOMAIN.envelopeSignature, content, options);
}
