import { EnvelopeError, HeraldError } from '../../errors.js';
import { sodium } from '../../sodium.js';
import { isOneOf, myRoutingTags } from '../my-tags.js';
import { toHex } from '../../bytes.js';
import { ENVELOPE_V2_DOMAIN } from '../../domains.js';
import { contentNonce, xorInto } from '../keys.js';
import { checkExpiry, type DecryptedEnvelope, type OpenClock, type OpenOptions } from '../open-common.js';
import { parseOuterV2, type EntryV2, type OuterViewV2 } from './format.js';
import { kemFor } from '../../prekey/kinds.js';
import { keyEncryptionKeyV2, messageIdV2 } from './keys.js';

function myEntry(outer: OuterViewV2, myTags: readonly Uint8Array[]): EntryV2 {
  // Tags are distinct (parseOuterV2), so at most one entry carries one of ours; every tag is still compared, in constant time.
  let mine: EntryV2 | undefined;
  for (const entry of outer.entries) if (isOneOf(entry.tag, myTags)) mine = entry;
  if (!mine) throw new EnvelopeError('NOT_FOR_ME', 'envelope is not addressed to this identity');
  return mine;
}

function decapsulate(entry: EntryV2, secretKey: Uint8Array): Uint8Array {
  try {
    return kemFor(entry.kind).decapsulate(secretKey, entry.kemCiphertext);
  } catch (cause) {
    if (cause instanceof HeraldError) throw cause;
    throw new EnvelopeError('DECRYPT_FAILED', `${entry.kind} decapsulation failed`, { cause });
  }
}

/**
 * Version-2 outer layer of `open` (docs/protocol.md section 17.5, steps 3–12):
 * parse, expiry, our entry, our prekey secret (PREKEY_GONE without it), then one
 * decapsulation, one X25519 and one AEAD pass.
 */
export async function decryptV2(bytes: Uint8Array, options: OpenOptions, clock: OpenClock): Promise<DecryptedEnvelope> {
  const outer = parseOuterV2(bytes);
  checkExpiry(outer.expiresSeconds, clock);
  const messageId = messageIdV2(outer.ephemeralPublicKey);
  const { identity } = options;
  const entry = myEntry(outer, myRoutingTags(options, clock));
  const prekeyId = toHex(entry.prekeyId);
  const secret = await options.prekeys?.get(entry.prekeyId);
  if (!secret) throw new EnvelopeError('PREKEY_GONE', `the secret of prekey ${prekeyId} is not held (used, past openUntil, or never ours)`);
  const { kind, oneTime } = secret.prekey;
  let kemShared: Uint8Array;
  try {
    if (kind !== entry.kind) throw new EnvelopeError('DECRYPT_FAILED', `prekey ${prekeyId} is ${kind}, the entry says ${entry.kind}`);
    kemShared = decapsulate(entry, secret.secretKey);
  } finally {
    // Resolvers hand out a copy (PrekeySecretStore.get); it is not needed again.
    secret.secretKey.fill(0);
  }
  let agreement: Uint8Array;
  try {
    agreement = sodium.crypto_scalarmult(identity.agreementSecretKey, outer.ephemeralPublicKey);
  } catch (cause) {
    kemShared.fill(0);
    throw new EnvelopeError('DECRYPT_FAILED', 'ephemeral key is invalid', { cause });
  }
  const kek = keyEncryptionKeyV2(kemShared, agreement, outer.ephemeralPublicKey, identity.card.agreementPublicKey, entry);
  kemShared.fill(0);
  agreement.fill(0);
  const key = entry.wrap ? xorInto(new Uint8Array(32), entry.wrap, kek) : kek;
  let inner: Uint8Array;
  try {
    inner = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, outer.ciphertext, outer.header, contentNonce(messageId), key);
  } catch (cause) {
    throw new EnvelopeError('DECRYPT_FAILED', 'envelope does not decrypt: altered, or sealed to another key with our tag', { cause });
  } finally {
    key.fill(0);
    kek.fill(0);
  }
  return {
    version: outer.version,
    inner,
    header: outer.header,
    messageId,
    expiresSeconds: outer.expiresSeconds,
    signatureDomain: ENVELOPE_V2_DOMAIN.envelopeSignature,
    prekey: { id: prekeyId, kind: entry.kind, oneTime },
  };
}
