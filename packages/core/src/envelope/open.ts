import { isUtf8 } from 'node:buffer';
import { readU32, toHex } from '../bytes.js';
import { fingerprintHash, formatFingerprint, type Card } from '../card.js';
import { contactList, isContactResolver, type ContactResolver } from '../contacts.js';
import { EnvelopeError, OptionsError } from '../errors.js';
import type { Identity } from '../identity.js';
import { precedenceFromCode, type Precedence } from '../precedence.js';
import type { SeenSet } from '../seen.js';
import { constantTimeEqual, sodium } from '../sodium.js';
import { decodeContentType } from './content-type.js';
import { META_CODED_TEXT, META_PADDED, META_PRECEDENCE_MASK, META_RESERVED_MASK, META_SENDER_KEY_ID, SENDER_KEY_BYTES, SENDER_KEY_ID_BYTES, SIGNATURE_BYTES, parseOuter, type OuterView } from './format.js';
import { contentNonce, keyEncryptionKey, messageIdFromEphemeral, signedMessage, xorInto } from './keys.js';
import { unpaddedLength } from './padding.js';
import { MAX_TTL_SECONDS } from './seal.js';
import { decodeText } from './text-coding.js';

export const DEFAULT_MAX_ENVELOPE_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300;
const TEXT_TYPE_CODE = 0x01; // text/plain; charset=utf-8 (content-type.ts)

export interface OpenOptions {
  readonly identity: Identity;
  /** Known contacts: needed for compact (key id) senders, and to return the sender's card. */
  readonly contacts?: ContactResolver | Iterable<Card>;
  /** Refuse (UNKNOWN_SENDER) any sender not in `contacts`. Default false. */
  readonly requireKnownSender?: boolean;
  /** Replay protection: an id already in the set is refused with REPLAY. */
  readonly seen?: SeenSet;
  /** Current time in ms since the epoch. Default `Date.now()`. */
  readonly now?: number;
  /** Tolerated difference between the sender's and our clocks, in seconds, for expiry and creation. Default 300. */
  readonly maxClockSkewSeconds?: number;
  /** Envelopes larger than this are refused with TOO_LARGE before any work. Default 32 MiB. */
  readonly maxEnvelopeBytes?: number;
}

export interface OpenedMessage {
  readonly plaintext: Uint8Array;
  /** 32 lowercase hex characters. */
  readonly id: string;
  readonly sender: {
    readonly fingerprint: string;
    readonly signingPublicKey: Uint8Array;
    /** The contact card, when the sender is in `contacts`. */
    readonly card?: Card;
  };
  readonly created: Date;
  readonly expires: Date;
  readonly precedence: Precedence;
  readonly contentType: string;
  /** Whether the sender padded the message to a size bucket. */
  readonly padded: boolean;
}

/**
 * The key under which a message counts as seen: its id scoped by the signer.
 * A co-recipient knows the content key and can reuse another sender's header
 * (hence its id) under its own signature; scoping stops that from suppressing
 * the genuine message as a replay.
 */
export function replayKey(message: Pick<OpenedMessage, 'id' | 'sender'>): string {
  return `${toHex(message.sender.signingPublicKey)}:${message.id}`;
}

/** Until when an id must stay in a seen-set: as long as `open` would still accept the envelope. */
export function replayHorizonMs(expiresAtMs: number, maxClockSkewSeconds = DEFAULT_MAX_CLOCK_SKEW_SECONDS): number {
  return expiresAtMs + (maxClockSkewSeconds + 1) * 1000;
}

function checkOpenOptions(options: OpenOptions): void {
  if (typeof options !== 'object' || options === null || !options.identity?.card) throw new OptionsError('open: options.identity is required');
  if (options.now !== undefined && (typeof options.now !== 'number' || !Number.isFinite(options.now) || options.now < 0)) throw new OptionsError(`now: expected ms since the epoch, got ${String(options.now)}`);
  const skew = options.maxClockSkewSeconds;
  if (skew !== undefined && (!Number.isInteger(skew) || skew < 0)) throw new OptionsError(`maxClockSkewSeconds: expected a non-negative integer, got ${String(skew)}`);
  const max = options.maxEnvelopeBytes;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new OptionsError(`maxEnvelopeBytes: expected a positive integer, got ${String(max)}`);
  if (options.requireKnownSender && options.contacts === undefined) throw new OptionsError('requireKnownSender: needs contacts');
}

/**
 * Decrypts with the one entry that carries our routing tag (parseOuter refused repeated tags), so opening costs
 * one key agreement and one AEAD pass whatever the header lists. Returns the inner part.
 */
function decryptForMe(outer: OuterView, identity: Identity, messageId: Uint8Array): Uint8Array {
  const myTag = identity.card.routingTag;
  let mine = -1;
  // Every entry is compared, not just up to ours: the time taken does not tell where our entry sits.
  for (let index = 0; index < outer.recipientCount; index++) if (constantTimeEqual(outer.tagAt(index), myTag)) mine = index;
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

function resolver(contacts: OpenOptions['contacts']): ContactResolver | undefined {
  if (contacts === undefined) return undefined;
  return isContactResolver(contacts) ? contacts : contactList(contacts);
}

/**
 * Opens an envelope: checks sizes, version and expiry first, then decrypts,
 * verifies the sender's signature over header, recipients and content, and
 * finally records the id in `seen`. Every refusal is an EnvelopeError.
 */
export async function open(bytes: Uint8Array, options: OpenOptions): Promise<OpenedMessage> {
  checkOpenOptions(options);
  if (!(bytes instanceof Uint8Array)) throw new EnvelopeError('MALFORMED', 'envelope must be a Uint8Array');
  const maxBytes = options.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  if (bytes.length > maxBytes) throw new EnvelopeError('TOO_LARGE', `envelope of ${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  const outer = parseOuter(bytes);
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  const skew = options.maxClockSkewSeconds ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS;
  if (outer.expiresSeconds + skew < nowSeconds) throw new EnvelopeError('EXPIRED', `envelope expired at ${new Date(outer.expiresSeconds * 1000).toISOString()}`);
  if (outer.expiresSeconds > nowSeconds + MAX_TTL_SECONDS + skew) throw new EnvelopeError('MALFORMED', 'envelope expires further ahead than the longest allowed ttl');

  const messageId = messageIdFromEphemeral(outer.ephemeralPublicKey);
  const inner = decryptForMe(outer, options.identity, messageId);

  const meta = inner[0] ?? 0;
  if ((meta & META_RESERVED_MASK) !== 0) throw new EnvelopeError('MALFORMED', 'reserved bits are set in the inner meta byte');
  const type = decodeContentType(inner, 1);
  if (!type) throw new EnvelopeError('MALFORMED', 'content type field is invalid');
  const codedText = (meta & META_CODED_TEXT) !== 0;
  if (codedText && inner[1] !== TEXT_TYPE_CODE) throw new EnvelopeError('MALFORMED', 'coded text is only for text/plain; charset=utf-8');
  const compactSender = (meta & META_SENDER_KEY_ID) !== 0;
  const senderOffset = 1 + type.length;
  const createdOffset = senderOffset + (compactSender ? SENDER_KEY_ID_BYTES : SENDER_KEY_BYTES);
  const signatureOffset = createdOffset + 4;
  const bodyOffset = signatureOffset + SIGNATURE_BYTES;
  if (inner.length < bodyOffset) throw new EnvelopeError('MALFORMED', 'inner part is truncated');

  const contacts = resolver(options.contacts);
  const senderField = inner.subarray(senderOffset, createdOffset);
  const card = compactSender ? contacts?.byKeyId(senderField) : contacts?.bySigningKey(senderField);
  if (compactSender && !card) throw new EnvelopeError('UNKNOWN_SENDER', 'sender is named by key id and is not among the contacts');
  if (options.requireKnownSender && !card) throw new EnvelopeError('UNKNOWN_SENDER', 'sender is not among the accepted contacts');
  const signingPublicKey = card ? card.signingPublicKey : inner.slice(senderOffset, createdOffset);

  const padded = (meta & META_PADDED) !== 0;
  const bodyEnd = padded ? unpaddedLength(inner) : inner.length;
  if (bodyEnd < bodyOffset) throw new EnvelopeError('MALFORMED', 'padding is invalid');
  const body = inner.subarray(bodyOffset, bodyEnd);
  const created = inner.subarray(createdOffset, signatureOffset);
  const signed = signedMessage(outer.header, meta, inner.subarray(1, senderOffset), signingPublicKey, created, body);
  if (!sodium.crypto_sign_verify_detached(inner.subarray(signatureOffset, bodyOffset), signed, signingPublicKey)) {
    throw new EnvelopeError('BAD_SIGNATURE', 'sender signature does not verify');
  }
  // The signature covers the coded bytes and the meta bit that says how to read them.
  const plaintext = codedText ? decodeText(body) : body.slice();
  // The registered text type promises UTF-8: a reader never hands on bytes under it that a strict decoder would refuse.
  if (inner[1] === TEXT_TYPE_CODE && !isUtf8(plaintext)) throw new EnvelopeError('MALFORMED', 'a text/plain; charset=utf-8 body is not valid UTF-8');

  const createdSeconds = readU32(created, 0);
  if (createdSeconds > outer.expiresSeconds) throw new EnvelopeError('MALFORMED', 'envelope was created after it expires');
  if (outer.expiresSeconds - createdSeconds > MAX_TTL_SECONDS) throw new EnvelopeError('MALFORMED', 'envelope ttl exceeds the longest allowed');
  if (createdSeconds > nowSeconds + skew) throw new EnvelopeError('NOT_YET_VALID', `envelope claims creation at ${new Date(createdSeconds * 1000).toISOString()}, beyond the allowed clock skew`);

  const id = toHex(messageId);
  const expiresMs = outer.expiresSeconds * 1000;
  if (options.seen && !(await options.seen.add(`${toHex(signingPublicKey)}:${id}`, replayHorizonMs(expiresMs, skew)))) {
    throw new EnvelopeError('REPLAY', `message ${id} was already received`);
  }

  return {
    plaintext,
    id,
    sender: card ? { fingerprint: card.fingerprint, signingPublicKey, card } : { fingerprint: formatFingerprint(fingerprintHash(signingPublicKey)), signingPublicKey },
    created: new Date(createdSeconds * 1000),
    expires: new Date(expiresMs),
    precedence: precedenceFromCode(meta & META_PRECEDENCE_MASK),
    contentType: type.contentType,
    padded,
  };
}
