import { toHex } from '../bytes.js';
import { DOMAIN } from '../domains.js';
import { EnvelopeError } from '../errors.js';
import type { Identity } from '../identity.js';
import { sodium } from '../sodium.js';
import { parseOuter, type OuterView } from './format.js';
import { isOneOf, myRoutingTags } from './my-tags.js';
import { contentNonce, keyEncryptionKey, messageIdFromEphemeral, xorInto } from './keys.js';
import { checkExpiry, checkOpenInput, readInner, type OpenedMessage, type OpenOptions } from './open-common.js';
import { ENVELOPE_V2_VERSION } from './v2/format.js';
import { decryptV2 } from './v2/open.js';

export { type OpenOptions, type OpenedMessage, replayHorizonMs, DEFAULT_MAX_ENVELOPE_BYTES, DEFAULT_MAX_CLOCK_SKEW_SECONDS } from './open-common.js';

/**
 * The key under which a message counts as seen: its id scoped by the signer.
 * A co-recipient knows the content key and can reuse another sender's header
 * (hence its id) under its own signature; scoping stops that from suppressing
 * the genuine message as a replay.
 */
export function replayKey(message: Pick<OpenedMessage, 'id' | 'sender'>): string {
  return `${toHex(message.sender.signingPublicKey)}:${message.id}`;
}

/**
 * Decrypts with the one entry that carries our routing tag (parseOuter refused repeated tags), so opening costs
 * one key agreement and one AEAD pass whatever the header lists. Returns the inner part.
 */
function decryptForMe(outer: OuterView, identity: Identity, messageId: Uint8Array, myTags: readonly Uint8Array[]): Uint8Array {
  let mine = -1;
  // Every entry is compared, not just up to ours: the time taken does not tell where our entry sits.
  for (let index = 0; index < outer.recipientCount; index++) if (isOneOf(outer.tagAt(index), myTags)) mine = index;
  if (mine < 0) throw new EnvelopeError('NOT_FOR_ME', 'envelope is not addressed to this identity');
  let shared: Uint8Array;
  try {
    shared = sodium.crypto_scalarmult(identity.agreementSecretKey, outer.ephemeralPublicKey);
  } catch (cause) {
    throw new EnvelopeError('DECRYPT_FAILED', 'ephemeral key is invalid', { cause });
  }
  const kek = keyEncryptionKey(shared, outer.ephemeralPublicKey, identity.card.agreementPublicKey);
  shared.fill(0);
  const key = outer.recipientCount === 1 ? kek : xorInto(new Uint8Array(32), outer.wrapAt(mine), kek);
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, outer.ciphertext, outer.header, contentNonce(messageId), key);
  } catch {
    throw new EnvelopeError('DECRYPT_FAILED', 'envelope does not decrypt: altered, or sealed to another key with our tag');
  } finally {
    key.fill(0);
    kek.fill(0);
  }
}

/**
 * Opens an envelope of version 1 or 2: checks sizes, version and expiry first,
 * then decrypts, verifies the sender's signature over header, recipients and
 * content, and finally records the id in `seen`. Every refusal is an EnvelopeError.
 */
export async function open(bytes: Uint8Array, options: OpenOptions): Promise<OpenedMessage> {
  const clock = checkOpenInput(bytes, options);
  if (bytes[0] === ENVELOPE_V2_VERSION) return readInner(await decryptV2(bytes, options, clock), options, clock);
  const outer = parseOuter(bytes);
  checkExpiry(outer.expiresSeconds, clock);
  const messageId = messageIdFromEphemeral(outer.ephemeralPublicKey);
  const inner = decryptForMe(outer, options.identity, messageId, myRoutingTags(options, clock));
  return readInner({ version: outer.version, inner, header: outer.header, messageId, expiresSeconds: outer.expiresSeconds, signatureDomain: DOMAIN.envelopeSignature }, options, clock);
}
