import { platform } from '#platform';
import { readU32, toHex } from '../bytes.js';
import { fingerprintHash, formatFingerprint, type Card } from '../card.js';
import { contactList, isContactResolver, type ContactResolver } from '../contacts.js';
import { EnvelopeError, OptionsError } from '../errors.js';
import type { Identity } from '../identity.js';
import { precedenceFromCode, type Precedence } from '../precedence.js';
import type { SeenSet } from '../seen.js';
import { sodium } from '../sodium.js';
import { decodeContentType } from './content-type.js';
import { checkRoutingTagsOption } from './my-tags.js';
import { META_CODED_TEXT, META_PADDED, META_PRECEDENCE_MASK, META_RESERVED_MASK, META_SENDER_KEY_ID, SENDER_KEY_BYTES, SENDER_KEY_ID_BYTES, SIGNATURE_BYTES } from './format.js';
import { signedMessage } from './keys.js';
import { unpaddedLength } from './padding.js';
import { MAX_TTL_SECONDS } from './seal-common.js';
import { decodeText } from './text-coding.js';
import type { OpenedPrekey, PrekeySecretResolver } from './v2/prekey-secrets.js';

/** What `open` does the same way for envelope versions 1 and 2: options, expiry, and everything after decryption. */

export const DEFAULT_MAX_ENVELOPE_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300;

/** NOT_YET_VALID refusals of a contact whose signature verified: who, and the creation time it signed. */
const aheadSenders = new WeakMap<Error, { readonly fingerprint: string; readonly createdMs: number }>();
export const signedCreationOf = (error: Error): { readonly fingerprint: string; readonly createdMs: number } | undefined => aheadSenders.get(error);
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
  /**
   * The routing tags whose entries are ours (16 bytes each, at most 65): a node passes the set it collects. Default:
   * the card's static tag and, for a version-2 card, its epoch tags from 30 days ago to the next epoch (newest 64).
   */
  readonly routingTags?: readonly Uint8Array[];
  /** Our prekey secrets, for version-2 envelopes. Without it (or when the named prekey is gone) a v2 envelope is refused with PREKEY_GONE. */
  readonly prekeys?: PrekeySecretResolver;
}

export interface OpenedMessage {
  /** Envelope version: 1, or 2 (forward secret, opened with a prekey). */
  readonly version: number;
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
  /** Version 2 only: the prekey that opened it. Delete a one-time prekey's secret once the message is stored. */
  readonly prekey?: OpenedPrekey;
}

/** Until when an id must stay in a seen-set: as long as `open` would still accept the envelope. */
export function replayHorizonMs(expiresAtMs: number, maxClockSkewSeconds = DEFAULT_MAX_CLOCK_SKEW_SECONDS): number {
  return expiresAtMs + (maxClockSkewSeconds + 1) * 1000;
}

export interface OpenClock {
  readonly nowSeconds: number;
  readonly skew: number;
}

/** Validates the options, the input type and its size; returns the clock for the expiry checks. */
export function checkOpenInput(bytes: unknown, options: OpenOptions): OpenClock {
  if (typeof options !== 'object' || options === null || !options.identity?.card) throw new OptionsError('open: options.identity is required');
  if (options.now !== undefined && (typeof options.now !== 'number' || !Number.isFinite(options.now) || options.now < 0)) throw new OptionsError(`now: expected ms since the epoch, got ${String(options.now)}`);
  const skew = options.maxClockSkewSeconds;
  if (skew !== undefined && (!Number.isInteger(skew) || skew < 0)) throw new OptionsError(`maxClockSkewSeconds: expected a non-negative integer, got ${String(skew)}`);
  const max = options.maxEnvelopeBytes;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new OptionsError(`maxEnvelopeBytes: expected a positive integer, got ${String(max)}`);
  if (options.requireKnownSender && options.contacts === undefined) throw new OptionsError('requireKnownSender: needs contacts');
  if (options.prekeys !== undefined && typeof options.prekeys?.get !== 'function') throw new OptionsError('prekeys: expected a resolver with get(id)');
  checkRoutingTagsOption(options.routingTags);
  if (!(bytes instanceof Uint8Array)) throw new EnvelopeError('MALFORMED', 'envelope must be a Uint8Array');
  const maxBytes = max ?? DEFAULT_MAX_ENVELOPE_BYTES;
  if (bytes.length > maxBytes) throw new EnvelopeError('TOO_LARGE', `envelope of ${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  return { nowSeconds: Math.floor((options.now ?? Date.now()) / 1000), skew: skew ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS };
}

export function checkExpiry(expiresSeconds: number, clock: OpenClock): void {
  if (expiresSeconds + clock.skew < clock.nowSeconds) throw new EnvelopeError('EXPIRED', `envelope expired at ${new Date(expiresSeconds * 1000).toISOString()}`);
  if (expiresSeconds > clock.nowSeconds + MAX_TTL_SECONDS + clock.skew) throw new EnvelopeError('MALFORMED', 'envelope expires further ahead than the longest allowed ttl');
}

function resolver(contacts: OpenOptions['contacts']): ContactResolver | undefined {
  if (contacts === undefined) return undefined;
  return isContactResolver(contacts) ? contacts : contactList(contacts);
}

/** The decrypted inner part and what the version's outer layer contributes to reading it. */
export interface DecryptedEnvelope {
  readonly version: number;
  readonly inner: Uint8Array;
  readonly header: Uint8Array;
  readonly messageId: Uint8Array;
  readonly expiresSeconds: number;
  readonly signatureDomain: Uint8Array;
  readonly prekey?: OpenedPrekey;
}

/** Reads the inner part: fields, sender, padding, signature, times, then records the id in `seen` (docs/protocol.md §9 steps 13–21). */
export async function readInner(decrypted: DecryptedEnvelope, options: OpenOptions, clock: OpenClock): Promise<OpenedMessage> {
  const { inner, expiresSeconds } = decrypted;
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
  const signed = signedMessage(decrypted.header, meta, inner.subarray(1, senderOffset), signingPublicKey, created, body, decrypted.signatureDomain);
  if (!sodium.crypto_sign_verify_detached(inner.subarray(signatureOffset, bodyOffset), signed, signingPublicKey)) {
    throw new EnvelopeError('BAD_SIGNATURE', 'sender signature does not verify');
  }
  // The signature covers the coded bytes and the meta bit that says how to read them.
  const plaintext = codedText ? decodeText(body) : body.slice();
  // The registered text type promises UTF-8: a reader never hands on bytes under it that a strict decoder would refuse.
  if (inner[1] === TEXT_TYPE_CODE && !platform.isUtf8(plaintext)) throw new EnvelopeError('MALFORMED', 'a text/plain; charset=utf-8 body is not valid UTF-8');

  const createdSeconds = readU32(created, 0);
  if (createdSeconds > expiresSeconds) throw new EnvelopeError('MALFORMED', 'envelope was created after it expires');
  if (expiresSeconds - createdSeconds > MAX_TTL_SECONDS) throw new EnvelopeError('MALFORMED', 'envelope ttl exceeds the longest allowed');
  if (createdSeconds > clock.nowSeconds + clock.skew) {
    const error = new EnvelopeError('NOT_YET_VALID', `envelope claims creation at ${new Date(createdSeconds * 1000).toISOString()}, beyond the allowed clock skew`);
    // The signature verified: a known sender's clock is ahead, which the node tells (node/clock.ts).
    if (card) aheadSenders.set(error, { fingerprint: card.fingerprint, createdMs: createdSeconds * 1000 });
    throw error;
  }

  const id = toHex(decrypted.messageId);
  const expiresMs = expiresSeconds * 1000;
  if (options.seen && !(await options.seen.add(`${toHex(signingPublicKey)}:${id}`, replayHorizonMs(expiresMs, clock.skew)))) {
    throw new EnvelopeError('REPLAY', `message ${id} was already received`);
  }

  return {
    version: decrypted.version,
    plaintext,
    id,
    sender: card ? { fingerprint: card.fingerprint, signingPublicKey, card } : { fingerprint: formatFingerprint(fingerprintHash(signingPublicKey)), signingPublicKey },
    created: new Date(createdSeconds * 1000),
    expires: new Date(expiresMs),
    precedence: precedenceFromCode(meta & META_PRECEDENCE_MASK),
    contentType: type.contentType,
    padded,
    ...(decrypted.prekey ? { prekey: decrypted.prekey } : {}),
  };
}
