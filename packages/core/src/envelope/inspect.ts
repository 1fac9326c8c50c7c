import { toHex } from '../bytes.js';
import { EnvelopeError } from '../errors.js';
import { AEAD_TAG_BYTES, parseOuter } from './format.js';
import { messageIdFromEphemeral } from './keys.js';

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
}

export function inspect(bytes: Uint8Array): EnvelopeOutline {
  if (!(bytes instanceof Uint8Array)) throw new EnvelopeError('MALFORMED', 'envelope must be a Uint8Array');
  const outer = parseOuter(bytes);
  const routingTags: string[] = [];
  for (let index = 0; index < outer.recipientCount; index++) routingTags.push(toHex(outer.tagAt(index)));
  return {
    version: outer.version,
    totalBytes: bytes.length,
    id: toHex(messageIdFromEphemeral(outer.ephemeralPublicKey)),
    expires: new Date(outer.expiresSeconds * 1000),
    ephemeralPublicKey: toHex(outer.ephemeralPublicKey),
    routingTags,
    encryptedBytes: outer.ciphertext.length - AEAD_TAG_BYTES,
  };
}

/** The message id without opening: what relays and stores key envelopes by. */
export function envelopeId(bytes: Uint8Array): string {
  return toHex(messageIdFromEphemeral(parseOuter(bytes).ephemeralPublicKey));
}

/** Routing tags (hex) of an envelope, for relays and spool readers. */
export function envelopeRoutingTags(bytes: Uint8Array): string[] {
  const outer = parseOuter(bytes);
  return Array.from({ length: outer.recipientCount }, (_, index) => toHex(outer.tagAt(index)));
}

/** Expiry in ms since the epoch, without opening. */
export function envelopeExpiry(bytes: Uint8Array): number {
  return parseOuter(bytes).expiresSeconds * 1000;
}
