import { readU32, toHex } from '../../bytes.js';
import { EnvelopeError } from '../../errors.js';
import { kemFor, PREKEY_KIND_CODES } from '../../prekey/kinds.js';
import { PREKEY_ID_BYTES, type PrekeyKind } from '../../prekey/types.js';
import { AEAD_TAG_BYTES, COUNT_OFFSET, ENTRIES_OFFSET, EPHEMERAL_OFFSET, MIN_INNER_BYTES, TAG_BYTES, WRAP_BYTES } from '../format.js';

/**
 * Byte layout of a version-2 envelope (docs/protocol.md section 17 is the normative text).
 * The fixed part and the place of each routing tag are those of version 1, so a
 * relay reads both alike; each entry also names the prekey it was sealed to.
 *
 *   outer header (AEAD additional data, covered by the signature)
 *     0   1   version = 0x02
 *     1   4   expires, u32 seconds since the Unix epoch
 *     5  32   E: ephemeral X25519 public key (the message id is derived from it)
 *    37   1   n: recipient count, 1..255
 *    38   …   n entries: routing tag (16) ‖ kind (1) ‖ prekey id (8) ‖ KEM ciphertext (by kind) [‖ wrapped content key (32) when n > 1]
 *   ciphertext: XChaCha20-Poly1305(inner), 16-byte tag at the end; the inner part is version 1's
 */
export const ENVELOPE_V2_VERSION = 2;

/** An entry's kind byte is the prekey encoding's kind code (xwing 0x01, x25519 0x02); the KEM fixes the ciphertext size. */
const KIND_BY_CODE = new Map<number, PrekeyKind>(Object.entries(PREKEY_KIND_CODES).map(([kind, code]) => [code, kind as PrekeyKind]));

/** Routing tag, kind byte and prekey id. */
export const ENTRY_FIXED_BYTES = TAG_BYTES + 1 + PREKEY_ID_BYTES;

export function entryBytesV2(kind: PrekeyKind, recipientCount: number): number {
  return ENTRY_FIXED_BYTES + kemFor(kind).ciphertextBytes + (recipientCount > 1 ? WRAP_BYTES : 0);
}

export interface EntryV2 {
  readonly tag: Uint8Array;
  readonly kind: PrekeyKind;
  readonly prekeyId: Uint8Array;
  readonly kemCiphertext: Uint8Array;
  /** Only when recipientCount > 1. */
  readonly wrap?: Uint8Array;
}

export interface OuterViewV2 {
  readonly version: number;
  readonly expiresSeconds: number;
  readonly ephemeralPublicKey: Uint8Array;
  readonly recipientCount: number;
  readonly entries: readonly EntryV2[];
  readonly header: Uint8Array;
  readonly ciphertext: Uint8Array;
  tagAt(index: number): Uint8Array;
}

function readEntry(bytes: Uint8Array, offset: number, recipientCount: number): { entry: EntryV2; end: number } {
  if (offset + ENTRY_FIXED_BYTES > bytes.length) throw new EnvelopeError('MALFORMED', 'envelope ends inside a recipient entry');
  const code = bytes[offset + TAG_BYTES] ?? 0;
  const kind = KIND_BY_CODE.get(code);
  if (kind === undefined) throw new EnvelopeError('UNSUPPORTED_VERSION', `prekey kind 0x${code.toString(16).padStart(2, '0')} is not supported (this build reads x25519 and xwing)`);
  const end = offset + entryBytesV2(kind, recipientCount);
  if (end > bytes.length) throw new EnvelopeError('MALFORMED', 'envelope ends inside a recipient entry');
  const kemStart = offset + ENTRY_FIXED_BYTES;
  const kemEnd = kemStart + kemFor(kind).ciphertextBytes;
  const entry: EntryV2 = {
    tag: bytes.subarray(offset, offset + TAG_BYTES),
    kind,
    prekeyId: bytes.subarray(offset + TAG_BYTES + 1, kemStart),
    kemCiphertext: bytes.subarray(kemStart, kemEnd),
    ...(recipientCount > 1 ? { wrap: bytes.subarray(kemEnd, end) } : {}),
  };
  return { entry, end };
}

/**
 * Parses a version-2 outer structure, checking every length; no cryptography.
 * A routing tag listed twice is refused here (MALFORMED), so opening costs a
 * recipient at most one KEM decapsulation, one X25519 and one AEAD pass.
 */
export function parseOuterV2(bytes: Uint8Array): OuterViewV2 {
  if (bytes.length === 0) throw new EnvelopeError('MALFORMED', 'envelope is empty');
  if (bytes[0] !== ENVELOPE_V2_VERSION) throw new EnvelopeError('UNSUPPORTED_VERSION', `envelope version ${bytes[0] ?? 0} is not version 2`);
  if (bytes.length < ENTRIES_OFFSET) throw new EnvelopeError('MALFORMED', 'envelope is shorter than its fixed header');
  const recipientCount = bytes[COUNT_OFFSET] ?? 0;
  if (recipientCount === 0) throw new EnvelopeError('MALFORMED', 'envelope lists no recipients');
  const entries: EntryV2[] = [];
  const tags = new Set<string>();
  let offset = ENTRIES_OFFSET;
  for (let index = 0; index < recipientCount; index++) {
    const { entry, end } = readEntry(bytes, offset, recipientCount);
    const tag = toHex(entry.tag);
    if (tags.has(tag)) throw new EnvelopeError('MALFORMED', `routing tag ${tag} is listed twice`);
    tags.add(tag);
    entries.push(entry);
    offset = end;
  }
  if (bytes.length < offset + AEAD_TAG_BYTES + MIN_INNER_BYTES) {
    throw new EnvelopeError('MALFORMED', `envelope of ${bytes.length} bytes is too short for ${recipientCount} recipient(s)`);
  }
  return {
    version: ENVELOPE_V2_VERSION,
    expiresSeconds: readU32(bytes, 1),
    ephemeralPublicKey: bytes.subarray(EPHEMERAL_OFFSET, EPHEMERAL_OFFSET + 32),
    recipientCount,
    entries,
    header: bytes.subarray(0, offset),
    ciphertext: bytes.subarray(offset),
    tagAt: (index) => entries[index]?.tag ?? new Uint8Array(0),
  };
}
