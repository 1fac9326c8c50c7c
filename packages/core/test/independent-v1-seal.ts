/**
 * The independent v1 implementation (see independent-v1.ts), part 5: sealing,
 * from docs/protocol.md §8 alone, with test hooks for envelopes only an
 * insider could make.
 */
import sodium from 'libsodium-wrappers-sumo';
import { cat, u32, xor } from './independent-bytes.js';
import { routingTagOf, type IndependentIdentity } from './independent-v1-identity.js';
import { bucket, encodeContentType, signedString } from './independent-v1-inner.js';
import { kekOf, messageId, nonceOf } from './independent-v1-outer.js';
import { codeTextDoc } from './independent-v1-text-coding.js';

export interface IndependentSealInput {
  from: IndependentIdentity;
  to: readonly { agreementPublicKey: Uint8Array }[];
  body: Uint8Array;
  precedence: number;
  ttl: number;
  contentType: string;
  pad: boolean;
  compactSender: boolean;
  nowMs: number;
  ephemeralSecret: Uint8Array;
  contentKey?: Uint8Array;
  /** §7.5.6: code a text/plain; charset=utf-8 body when a table makes it shorter. */
  compactText?: boolean;
  /** Test hooks, to build invalid envelopes that only an insider could make. */
  metaOverride?: number;
  contentTypeBytesOverride?: Uint8Array;
  createdOverride?: number;
  paddingOverride?: Uint8Array;
}

/** §8, step by step. */
export function independentSeal(input: IndependentSealInput): Uint8Array {
  const n = input.to.length;
  const created = Math.floor(input.nowMs / 1000);
  const expires = created + input.ttl;
  const ephemeral = sodium.crypto_scalarmult_base(input.ephemeralSecret);
  const id = messageId(ephemeral);
  const entries: Uint8Array[] = [];
  let contentKey = n === 1 ? undefined : input.contentKey!;
  for (const recipient of input.to) {
    const kek = kekOf(sodium.crypto_scalarmult(input.ephemeralSecret, recipient.agreementPublicKey), ephemeral, recipient.agreementPublicKey);
    const tag = routingTagOf(recipient.agreementPublicKey);
    if (n === 1) {
      contentKey = kek;
      entries.push(tag);
    } else {
      entries.push(cat(tag, xor(contentKey!, kek)));
    }
  }
  const header = cat(Uint8Array.of(1), u32(expires), ephemeral, Uint8Array.of(n), ...entries);
  const coded = input.compactText && input.contentType === 'text/plain; charset=utf-8' ? codeTextDoc(input.body) : undefined;
  const body = coded ?? input.body;
  const meta = input.metaOverride ?? (input.precedence | (input.pad ? 0x04 : 0) | (input.compactSender ? 0x08 : 0) | (coded ? 0x10 : 0));
  const typeBytes = input.contentTypeBytesOverride ?? encodeContentType(input.contentType);
  const createdBytes = u32(input.createdOverride ?? created);
  const signature = sodium.crypto_sign_detached(signedString(header, meta, typeBytes, input.from.signingPublicKey, createdBytes, body), input.from.signingSecretKey);
  const sender = input.compactSender ? input.from.keyId : input.from.signingPublicKey;
  let inner = cat(Uint8Array.of(meta), typeBytes, sender, createdBytes, signature, body);
  if (input.paddingOverride) inner = cat(inner, input.paddingOverride);
  else if (input.pad) {
    const padded = new Uint8Array(bucket(inner.length));
    padded.set(inner);
    padded[inner.length] = 0x80;
    inner = padded;
  }
  return cat(header, sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(inner, header, null, nonceOf(id), contentKey!));
}
