import { platform } from '#platform';
import { concatBytes, toHex, utf8, writeU32 } from '../bytes.js';
import type { Card } from '../card.js';
import { EnvelopeError, OptionsError } from '../errors.js';
import type { Identity } from '../identity.js';
import { PRECEDENCES, precedenceCode, type Precedence } from '../precedence.js';
import type { RandomSource } from '../random.js';
import { sodium } from '../sodium.js';
import { encodeContentType, MAX_CONTENT_TYPE_BYTES } from './content-type.js';
import { MAX_RECIPIENTS, META_CODED_TEXT, META_PADDED, META_SENDER_KEY_ID } from './format.js';
import { contentNonce, signedMessage } from './keys.js';
import { bucketLength } from './padding.js';
import { codeText } from './text-coding.js';

/**
 * What every envelope version seals the same way: the inner part (meta, content
 * type, sender, created, signature, body, padding) and its AEAD encryption under
 * the header. Each version builds its own header and content key.
 */

export const DEFAULT_TTL_SECONDS = 24 * 60 * 60;
export const MAX_TTL_SECONDS = 400 * 24 * 60 * 60;
export const DEFAULT_MAX_PLAINTEXT_BYTES = 16 * 1024 * 1024;
const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';

/** Sealing options shared by envelope versions 1 and 2 (everything but the recipients). */
export interface SealContentOptions {
  readonly from: Identity;
  /** Default ROUTINE. */
  readonly precedence?: Precedence;
  /** Time to live in seconds, 1 s to 400 days. Default 24 h. */
  readonly ttl?: number;
  /** Default `text/plain; charset=utf-8` for a string, `application/octet-stream` for bytes. At most 255 UTF-8 bytes. */
  readonly contentType?: string;
  /** Pad to a size bucket (docs/protocol.md). Default true; turn off only for tiny channels such as cipher groups. */
  readonly pad?: boolean;
  /**
   * How the sender is named inside: `key` carries the 32-byte signing key, so any
   * recipient can verify; `keyId` carries 8 bytes and needs the recipient to hold
   * the sender's card (24 bytes smaller). Default `key`.
   */
  readonly sender?: 'key' | 'keyId';
  /**
   * Code a `text/plain; charset=utf-8` body in the shortest compact text table
   * (Morse characters in upper or lower case, or printable ASCII) when that is shorter; other bodies are
   * sealed as they are. Inside the encryption, so it reveals nothing. Readers
   * before this coding refuse such envelopes (MALFORMED). Default false.
   */
  readonly compactText?: boolean;
  /** Largest plaintext accepted. Default 16 MiB. */
  readonly maxPlaintextBytes?: number;
  /** Creation time in ms since the epoch. Default `Date.now()`. */
  readonly now?: number;
  /** Source of the ephemeral secret and content key. Default node's CSPRNG; only test vectors pass another. */
  readonly random?: RandomSource;
}

/** Options checked, and the body ready to sign (coded when asked and shorter). */
export interface PreparedContent {
  readonly precedence: Precedence;
  readonly ttl: number;
  readonly contentType: string;
  readonly nowSeconds: number;
  readonly expiresSeconds: number;
  readonly body: Uint8Array;
  readonly coded: boolean;
}

export function prepareContent(plaintext: Uint8Array | string, options: SealContentOptions): PreparedContent {
  if (typeof options !== 'object' || options === null) throw new OptionsError('seal: options are required ({ from, to })');
  if (!options.from?.card || !(options.from.signingSecretKey instanceof Uint8Array)) throw new OptionsError('from: expected an Identity');
  const precedence = options.precedence ?? 'ROUTINE';
  if (!PRECEDENCES.includes(precedence)) throw new OptionsError(`precedence: expected one of ${PRECEDENCES.join(', ')}, got ${String(precedence)}`);
  const ttl = options.ttl ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) throw new OptionsError(`ttl: expected whole seconds from 1 to ${MAX_TTL_SECONDS}, got ${String(ttl)}`);
  const contentType = options.contentType ?? (typeof plaintext === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
  const typeLength = utf8(contentType).length;
  if (typeLength === 0 || typeLength > MAX_CONTENT_TYPE_BYTES) throw new OptionsError(`contentType: expected 1 to ${MAX_CONTENT_TYPE_BYTES} UTF-8 bytes`);
  if (options.sender !== undefined && options.sender !== 'key' && options.sender !== 'keyId') throw new OptionsError(`sender: expected 'key' or 'keyId', got ${String(options.sender)}`);
  if (options.compactText !== undefined && typeof options.compactText !== 'boolean') throw new OptionsError(`compactText: expected a boolean, got ${String(options.compactText)}`);
  const now = options.now ?? Date.now();
  if (!Number.isFinite(now) || now < 0) throw new OptionsError('now: expected ms since the epoch');
  const nowSeconds = Math.floor(now / 1000);
  if (nowSeconds + ttl > 0xffffffff) throw new OptionsError('ttl: expiry falls after 2106');

  const text = typeof plaintext === 'string' ? utf8(plaintext) : plaintext;
  if (!(text instanceof Uint8Array)) throw new OptionsError('plaintext: expected a Uint8Array or a string');
  const maxPlaintext = options.maxPlaintextBytes ?? DEFAULT_MAX_PLAINTEXT_BYTES;
  if (text.length > maxPlaintext) throw new EnvelopeError('TOO_LARGE', `plaintext of ${text.length} bytes exceeds the limit of ${maxPlaintext}`);
  if (contentType === TEXT_CONTENT_TYPE && !platform.isUtf8(text)) throw new OptionsError(`plaintext: a ${TEXT_CONTENT_TYPE} body must be valid UTF-8 (readers refuse it otherwise)`);
  const coded = options.compactText === true && contentType === TEXT_CONTENT_TYPE ? codeText(text) : undefined;
  return { precedence, ttl, contentType, nowSeconds, expiresSeconds: nowSeconds + ttl, body: coded ?? text, coded: coded !== undefined };
}

/** Checks the recipient cards: 1 to 255, each a Card, no routing tag twice. */
export function checkRecipientCards(recipients: readonly Card[], what = 'to'): void {
  if (recipients.length === 0 || recipients.length > MAX_RECIPIENTS) throw new OptionsError(`${what}: expected 1 to ${MAX_RECIPIENTS} cards, got ${recipients.length}`);
  const tags = new Set<string>();
  for (const card of recipients) {
    if (!(card?.agreementPublicKey instanceof Uint8Array) || !(card.routingTag instanceof Uint8Array)) throw new OptionsError(`${what}: every recipient must be a Card (parseCard, decodeCard)`);
    const tag = toHex(card.routingTag);
    if (tags.has(tag)) throw new OptionsError(`${what}: recipient ${card.fingerprint} is listed twice`);
    tags.add(tag);
  }
}

/** X25519 with a recipient's identity key; a small-order key is the caller's mistake (INVALID_OPTIONS). */
export function agreeWithRecipient(ephemeralSecret: Uint8Array, card: Card): Uint8Array {
  try {
    return sodium.crypto_scalarmult(ephemeralSecret, card.agreementPublicKey);
  } catch (cause) {
    throw new OptionsError(`to: recipient ${card.fingerprint} has an unusable X25519 key`, { cause });
  }
}

/** Signs and encrypts the inner part under `header`; returns header || ciphertext. Erases the content key and inner buffer. */
export function sealContent(header: Uint8Array, contentKey: Uint8Array, messageId: Uint8Array, signatureDomain: Uint8Array, content: PreparedContent, options: SealContentOptions): Uint8Array {
  const pad = options.pad ?? true;
  const meta = precedenceCode(content.precedence) | (pad ? META_PADDED : 0) | (options.sender === 'keyId' ? META_SENDER_KEY_ID : 0) | (content.coded ? META_CODED_TEXT : 0);
  const typeBytes = encodeContentType(content.contentType);
  const card = options.from.card;
  const created = new Uint8Array(4);
  writeU32(created, 0, content.nowSeconds);
  const { body } = content;
  const signature = sodium.crypto_sign_detached(signedMessage(header, meta, typeBytes, card.signingPublicKey, created, body, signatureDomain), options.from.signingSecretKey);

  const senderField = options.sender === 'keyId' ? card.keyId : card.signingPublicKey;
  const prefixLength = 1 + typeBytes.length + senderField.length + 4 + signature.length;
  const unpadded = prefixLength + body.length;
  const inner = new Uint8Array(pad ? bucketLength(unpadded) : unpadded);
  inner[0] = meta;
  let offset = 1;
  for (const part of [typeBytes, senderField, created, signature, body]) {
    inner.set(part, offset);
    offset += part.length;
  }
  if (pad) inner[offset] = 0x80;

  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(inner, header, null, contentNonce(messageId), contentKey);
  contentKey.fill(0);
  inner.fill(0);
  return concatBytes([header, ciphertext]);
}
