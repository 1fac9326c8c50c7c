import { readU32, toHex } from '../bytes.js';
import { EnvelopeError } from '../errors.js';

/**
 * Byte layout of a version-1 envelope (docs/protocol.md is the normative text):
 *
 *   outer header (authenticated as AEAD additional data and covered by the signature)
 *     0   1   version = 0x01
 *     1   4   expires, u32 seconds since the Unix epoch
 *     5  32   E: ephemeral X25519 public key (the message id is derived from it)
 *    37   1   n: recipient count, 1..255
 *    38   …   n entries: routing tag (16) [+ wrapped content key (32) when n > 1], no tag twice
 *   ciphertext: XChaCha20-Poly1305(inner), 16-byte tag at the end
 */
export const ENVELOPE_VERSION = 1;
export const TAG_BYTES = 16;
export const WRAP_BYTES = 32;
export const EPHEMERAL_OFFSET = 5;
export const COUNT_OFFSET = 37;
export const ENTRIES_OFFSET = 38;
export const AEAD_TAG_BYTES = 16;
export const MAX_RECIPIENTS = 255;
export const SIGNATURE_BYTES = 64;
export const SENDER_KEY_BYTES = 32;
export const SENDER_KEY_ID_BYTES = 8;
/** Smallest inner part: meta, content type, key id, created, signature. */
export const MIN_INNER_BYTES = 1 + 1 + SENDER_KEY_ID_BYTES + 4 + SIGNATURE_BYTES;

/** Inner `meta` byte. */
export const META_PRECEDENCE_MASK = 0b0000_0011;
export const META_PADDED = 0b0000_0100;
export const META_SENDER_KEY_ID = 0b0000_1000;
/** The body is text in a compact coding (text-coding.ts); only with content type text/plain; charset=utf-8. */
export const META_CODED_TEXT = 0b0001_0000;
export const META_RESERVED_MASK = 0b1110_0000;

export function entryBytes(recipientCount: number): number {
  return recipientCount === 1 ? TAG_BYTES : TAG_BYTES + WRAP_BYTES;
}

export function headerBytes(recipientCount: number): number {
  return ENTRIES_OFFSET + recipientCount * entryBytes(recipientCount);
}

/** What anyone holding the bytes can read, without any key. */
export interface OuterView {
  readonly version: number;
  readonly expiresSeconds: number;
  readonly ephemeralPublicKey: Uint8Array;
  readonly recipientCount: number;
  readonly header: Uint8Array;
  readonly ciphertext: Uint8Array;
  /** Routing tag of entry i. */
  tagAt(index: number): Uint8Array;
  /** Wrapped content key of entry i (only when recipientCount > 1). */
  wrapAt(index: number): Uint8Array;
}

/**
 * Parses the outer structure, checking every length and that no routing tag is listed twice; no cryptography.
 * Distinct tags mean a recipient finds at most one entry of its own, so opening costs one AEAD pass whatever
 * the header lists, and a relay files an envelope once per mailbox.
 */
export function parseOuter(bytes: Uint8Array): OuterView {
  if (bytes.length === 0) throw new EnvelopeError('MALFORMED', 'envelope is empty');
  const version = bytes[0] ?? 0;
  if (version !== ENVELOPE_VERSION) throw new EnvelopeError('UNSUPPORTED_VERSION', `envelope version ${version} is not supported (this build reads versions 1 and 2)`);
  if (bytes.length < ENTRIES_OFFSET) throw new EnvelopeError('MALFORMED', 'envelope is shorter than its fixed header');
  const recipientCount = bytes[COUNT_OFFSET] ?? 0;
  if (recipientCount === 0) throw new EnvelopeError('MALFORMED', 'envelope lists no recipients');
  const headerLength = headerBytes(recipientCount);
  if (bytes.length < headerLength + AEAD_TAG_BYTES + MIN_INNER_BYTES) {
    throw new EnvelopeError('MALFORMED', `envelope of ${bytes.length} bytes is too short for ${recipientCount} recipient(s)`);
  }
  const entrySize = entryBytes(recipientCount);
  const tagAt = (index: number): Uint8Array => bytes.subarray(ENTRIES_OFFSET + index * entrySize, ENTRIES_OFFSET + index * entrySize + TAG_BYTES);
  if (recipientCount > 1) {
    // Tags are public (relays route by them), so an ordinary Set of at most 255 keys, not a constant-time scan.
    const seen = new Set<string>();
    for (let index = 0; index < recipientCount; index++) {
      const tag = toHex(tagAt(index));
      if (seen.has(tag)) throw new EnvelopeError('MALFORMED', `recipient entry ${index} repeats the routing tag of an earlier entry`);
      seen.add(tag);
    }
  }
  return {
    version,
    expiresSeconds: readU32(bytes, 1),
    ephemeralPublicKey: bytes.subarray(EPHEMERAL_OFFSET, EPHEMERAL_OFFSET + 32),
    recipientCount,
    header: bytes.subarray(0, headerLength),
    ciphertext: bytes.subarray(headerLength),
    tagAt,
    wrapAt: (index) => bytes.subarray(ENTRIES_OFFSET + index * entrySize + TAG_BYTES, ENTRIES_OFFSET + (index + 1) * entrySize),
  };
}
