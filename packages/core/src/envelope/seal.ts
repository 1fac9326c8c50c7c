import { isUtf8 } from 'node:buffer';
import { concatBytes, utf8, writeU32 } from '../bytes.js';
import type { Card } from '../card.js';
import { EnvelopeError, OptionsError } from '../errors.js';
import type { Identity } from '../identity.js';
import { PRECEDENCES, precedenceCode, type Precedence } from '../precedence.js';
import { secureRandom, type RandomSource } from '../random.js';
import { sodium } from '../sodium.js';
import { encodeContentType, MAX_CONTENT_TYPE_BYTES } from './content-type.js';
import { COUNT_OFFSET, ENTRIES_OFFSET, ENVELOPE_VERSION, EPHEMERAL_OFFSET, MAX_RECIPIENTS, META_CODED_TEXT, META_PADDED, META_SENDER_KEY_ID, entryBytes, headerBytes } from './format.js';
import { contentNonce, keyEncryptionKey, messageIdFromEphemeral, signedMessage, xorInto } from './keys.js';
import { bucketLength } from './padding.js';
import { codeText } from './text-coding.js';

export const DEFAULT_TTL_SECONDS = 24 * 60 * 60;
export const MAX_TTL_SECONDS = 400 * 24 * 60 * 60;
export const DEFAULT_MAX_PLAINTEXT_BYTES = 16 * 1024 * 1024;
const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';

export interface SealOptions {
  readonly from: Identity;
  /** One card or up to 255 distinct cards. */
  readonly to: Card | readonly Card[];
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

interface CheckedSeal {
  readonly recipients: readonly Card[];
  readonly precedence: Precedence;
  readonly ttl: number;
  readonly contentType: string;
  readonly nowSeconds: number;
}

function checkSealOptions(plaintext: Uint8Array | string, options: SealOptions): CheckedSeal {
  if (typeof options !== 'object' || options === null) throw new OptionsError('seal: options are required ({ from, to })');
  if (!options.from?.card || !(options.from.signingSecretKey instanceof Uint8Array)) throw new OptionsError('from: expected an Identity');
  const recipients: readonly Card[] = Array.isArray(options.to) ? options.to : [options.to as Card];
  if (recipients.length === 0 || recipients.length > MAX_RECIPIENTS) throw new OptionsError(`to: expected 1 to ${MAX_RECIPIENTS} cards, got ${recipients.length}`);
  const tags = new Set<string>();
  for (const card of recipients) {
    if (!(card?.agreementPublicKey instanceof Uint8Array) || !(card.routingTag instanceof Uint8Array)) throw new OptionsError('to: every recipient must be a Card (parseCard, decodeCard)');
    const tag = Buffer.from(card.routingTag).toString('hex');
    if (tags.has(tag)) throw new OptionsError(`to: recipient ${card.fingerprint} is listed twice`);
    tags.add(tag);
  }
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
  return { recipients, precedence, ttl, contentType, nowSeconds };
}

/** Seals `plaintext` for the recipients: encrypted, signed by `from`, bound to the recipient list. Returns the envelope bytes. */
export function seal(plaintext: Uint8Array | string, options: SealOptions): Uint8Array {
  const checked = checkSealOptions(plaintext, options);
  const text = typeof plaintext === 'string' ? utf8(plaintext) : plaintext;
  if (!(text instanceof Uint8Array)) throw new OptionsError('plaintext: expected a Uint8Array or a string');
  const maxPlaintext = options.maxPlaintextBytes ?? DEFAULT_MAX_PLAINTEXT_BYTES;
  if (text.length > maxPlaintext) throw new EnvelopeError('TOO_LARGE', `plaintext of ${text.length} bytes exceeds the limit of ${maxPlaintext}`);
  if (checked.contentType === TEXT_CONTENT_TYPE && !isUtf8(text)) throw new OptionsError(`plaintext: a ${TEXT_CONTENT_TYPE} body must be valid UTF-8 (readers refuse it otherwise)`);
  const coded = options.compactText === true && checked.contentType === TEXT_CONTENT_TYPE ? codeText(text) : undefined;
  const body = coded ?? text;
  const random = options.random ?? secureRandom;
  const { recipients } = checked;
  const count = recipients.length;

  const ephemeralSecret = random(32);
  const ephemeralPublicKey = sodium.crypto_scalarmult_base(ephemeralSecret);
  const messageId = messageIdFromEphemeral(ephemeralPublicKey);

  const header = new Uint8Array(headerBytes(count));
  header[0] = ENVELOPE_VERSION;
  writeU32(header, 1, checked.nowSeconds + checked.ttl);
  header.set(ephemeralPublicKey, EPHEMERAL_OFFSET);
  header[COUNT_OFFSET] = count;

  const contentKey = count === 1 ? new Uint8Array(32) : random(32);
  const entrySize = entryBytes(count);
  recipients.forEach((card, index) => {
    const entry = ENTRIES_OFFSET + index * entrySize;
    header.set(card.routingTag, entry);
    let shared: Uint8Array;
    try {
      shared = sodium.crypto_scalarmult(ephemeralSecret, card.agreementPublicKey);
    } catch (cause) {
      throw new OptionsError(`to: recipient ${card.fingerprint} has an unusable X25519 key`, { cause });
    }
    const kek = keyEncryptionKey(shared, ephemeralPublicKey, card.agreementPublicKey);
    shared.fill(0);
    if (count === 1) contentKey.set(kek);
    else header.set(xorInto(new Uint8Array(32), contentKey, kek), entry + 16);
    kek.fill(0);
  });
  ephemeralSecret.fill(0);

  const pad = options.pad ?? true;
  const meta = precedenceCode(checked.precedence) | (pad ? META_PADDED : 0) | (options.sender === 'keyId' ? META_SENDER_KEY_ID : 0) | (coded ? META_CODED_TEXT : 0);
  const typeBytes = encodeContentType(checked.contentType);
  const card = options.from.card;
  const created = new Uint8Array(4);
  writeU32(created, 0, checked.nowSeconds);
  const signature = sodium.crypto_sign_detached(signedMessage(header, meta, typeBytes, card.signingPublicKey, created, body), options.from.signingSecretKey);

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
