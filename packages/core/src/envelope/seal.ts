import { writeU32 } from '../bytes.js';
import type { Card } from '../card.js';
import { DOMAIN } from '../domains.js';
import { routingTagAt } from '../epoch/tags.js';
import { secureRandom } from '../random.js';
import { sodium } from '../sodium.js';
import { COUNT_OFFSET, ENTRIES_OFFSET, ENVELOPE_VERSION, EPHEMERAL_OFFSET, entryBytes, headerBytes } from './format.js';
import { keyEncryptionKey, messageIdFromEphemeral, xorInto } from './keys.js';
import { agreeWithRecipient, checkRecipientCards, prepareContent, sealContent, type SealContentOptions } from './seal-common.js';

export { DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, DEFAULT_MAX_PLAINTEXT_BYTES } from './seal-common.js';

export interface SealOptions extends SealContentOptions {
  /** One card or up to 255 distinct cards. */
  readonly to: Card | readonly Card[];
}

/** Seals `plaintext` for the recipients as a version-1 envelope: encrypted, signed by `from`, bound to the recipient list. Returns the envelope bytes. */
export function seal(plaintext: Uint8Array | string, options: SealOptions): Uint8Array {
  const content = prepareContent(plaintext, options);
  const recipients: readonly Card[] = Array.isArray(options.to) ? options.to : [options.to as Card];
  checkRecipientCards(recipients);
  const random = options.random ?? secureRandom;
  const count = recipients.length;

  const ephemeralSecret = random(32);
  const ephemeralPublicKey = sodium.crypto_scalarmult_base(ephemeralSecret);
  const messageId = messageIdFromEphemeral(ephemeralPublicKey);

  const header = new Uint8Array(headerBytes(count));
  header[0] = ENVELOPE_VERSION;
  writeU32(header, 1, content.expiresSeconds);
  header.set(ephemeralPublicKey, EPHEMERAL_OFFSET);
  header[COUNT_OFFSET] = count;

  const contentKey = count === 1 ? new Uint8Array(32) : random(32);
  const entrySize = entryBytes(count);
  recipients.forEach((card, index) => {
    const entry = ENTRIES_OFFSET + index * entrySize;
    header.set(routingTagAt(card, content.nowSeconds * 1000), entry);
    const shared = agreeWithRecipient(ephemeralSecret, card);
    const kek = keyEncryptionKey(shared, ephemeralPublicKey, card.agreementPublicKey);
    shared.fill(0);
    if (count === 1) contentKey.set(kek);
    else header.set(xorInto(new Uint8Array(32), contentKey, kek), entry + 16);
    kek.fill(0);
  });
  ephemeralSecret.fill(0);
  return sealContent(header, contentKey, messageId, DOMAIN.envelopeSignature, content, options);
}
