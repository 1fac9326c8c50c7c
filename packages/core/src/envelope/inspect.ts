import { toHex } from '../bytes.js';
import { EnvelopeError } from '../errors.js';
import type { PrekeyKind } from '../prekey/types.js';
import { AEAD_TAG_BYTES, parseOuter, type OuterView } from './format.js';
import { messageIdFromEphemeral } from './keys.js';
import { ENVELOPE_V2_VERSION, parseOuterV2, type OuterViewV2 } from './v2/format.js';
import { messageIdV2 } from './v2/keys.js';

/** Everything an outsider (relay, broker, mail server, observer) can learn from the bytes alone. */
export interface EnvelopeOutline {
  readonly version: number;
  readonly totalBytes: number;
  /** 32 lowercase hex characters, derived from the ephemeral key. */
  readonly id: string;
  readonly expires: Date;
  readonly ephemeralPublicKey: string;
  /** Routing tags, hex, one per recipient. */
  readonly routingTags: readonly string[];
  /** Encrypted part (inner content, padding and sender, signature), AEAD tag excluded. */
  readonly encryptedBytes: number;
  /** Version 2: the prekey kind and id (hex) of each entry, in entry order. */
  readonly prekeys?: readonly { readonly kind: PrekeyKind; readonly id: string }[];
  /** Whether every recipient's key has a post-quantum part (version 2 with X-Wing prekeys only). */
  readonly postQuantum: boolean;
}

type AnyOuter = OuterView | OuterViewV2;

/** The outer header of either version: relays route both by the same rule (expiry, tags, id). */
function outerOf(bytes: Uint8Array): AnyOuter {
  if (!(bytes instanceof Uint8Array)) throw new EnvelopeError('MALFORMED', 'envelope must be a Uint8Array');
  return bytes[0] === ENVELOPE_V2_VERSION ? parseOuterV2(bytes) : parseOuter(bytes);
}

/** Each version derives the id from E under its own domain string. */
function idOf(outer: AnyOuter): string {
  return toHex(outer.version === ENVELOPE_V2_VERSION ? messageIdV2(outer.ephemeralPublicKey) : messageIdFromEphemeral(outer.ephemeralPublicKey));
}

function tagsOf(outer: AnyOuter): string[] {
  const tags = new Array<string>(outer.recipientCount);
  for (let index = 0; index < tags.length; index++) tags[index] = toHex(outer.tagAt(index));
  return tags;
}

export function inspect(bytes: Uint8Array): EnvelopeOutline {
  const outer = outerOf(bytes);
  const prekeys = 'entries' in outer ? outer.entries.map((entry) => ({ kind: entry.kind, id: toHex(entry.prekeyId) })) : undefined;
  return {
    version: outer.version,
    totalBytes: bytes.length,
    id: idOf(outer),
    expires: new Date(outer.expiresSeconds * 1000),
    ephemeralPublicKey: toHex(outer.ephemeralPublicKey),
    routingTags: tagsOf(outer),
    encryptedBytes: outer.ciphertext.length - AEAD_TAG_BYTES,
    ...(prekeys ? { prekeys } : {}),
    postQuantum: prekeys !== undefined && prekeys.every((prekey) => prekey.kind === 'xwing'),
  };
}

/** The message id without opening: what relays and stores key envelopes by. */
export function envelopeId(bytes: Uint8Array): string {
  return idOf(outerOf(bytes));
}

/** Routing tags (hex) of an envelope, for relays and spool readers. */
export function envelopeRoutingTags(bytes: Uint8Array): string[] {
  return tagsOf(outerOf(bytes));
}

/** What a relay routes an envelope by: {@link inspect}'s id, tags and expiry, without the rest of its outline. */
export interface EnvelopeRoute {
  /** 32 lowercase hex characters, as {@link EnvelopeOutline.id}. */
  readonly id: string;
  /** Routing tags, hex, one per recipient, none twice (parsing refuses a repeated tag). */
  readonly routingTags: readonly string[];
  /** Expiry in ms since the epoch. */
  readonly expiresAt: number;
}

/**
 * One parse of the outer header for a relay's deposit path: the same checks as {@link inspect}, but none of the
 * outline a relay does not read (ephemeral key hex, prekey entries, a Date), which it would build per envelope.
 */
export function envelopeRoute(bytes: Uint8Array): EnvelopeRoute {
  const outer = outerOf(bytes);
  return { id: idOf(outer), routingTags: tagsOf(outer), expiresAt: outer.expiresSeconds * 1000 };
}

/** Expiry in ms since the epoch, without opening. */
export function envelopeExpiry(bytes: Uint8Array): number {
  return outerOf(bytes).expiresSeconds * 1000;
}
