import { OptionsError, decodeCard, toHex, type Card, type Identity } from '@herald/core';
import { TrustError } from './errors.js';
import { concat, readU32, seconds, u32, utf8 } from './bytes.js';
import { ROTATION_DOMAIN } from './domains.js';
import { sodium } from './sodium.js';
import { commentSafe, fromLines, toLine } from './text.js';

/**
 * A rotation statement: "my key `old` is succeeded by `new`", signed by both
 * keys. The old key's signature is the authority contacts already trust; the
 * new key's proves its holder agreed, so no one can name someone else's card
 * as their successor. Layout (protocol.md 15.5):
 *   "HRO" | version 1 | issued u32 | old card length u8 | old card | new card length u8 | new card
 *   | signature by the old key 64 | signature by the new key 64
 */
export interface RotationStatement {
  readonly previous: Card;
  readonly successor: Card;
  readonly issued: Date;
  readonly bytes: Uint8Array;
}

export const ROTATION_MAGIC = utf8('HRO');
export const ROTATION_VERSION = 1;
export const ROTATION_PREFIX = 'herald-rotation:';
const MIN_CARD = 134;
const MAX_CARD = 198;

const bad = (message: string, cause?: unknown): TrustError => new TrustError('BAD_ROTATION', message, cause === undefined ? {} : { cause });

export function createRotation(previous: Identity, successor: Identity, issuedMs = Date.now()): RotationStatement {
  if (toHex(previous.card.signingPublicKey) === toHex(successor.card.signingPublicKey)) throw new OptionsError('successor: must be a new key');
  const issued = seconds(issuedMs);
  if (issued < 0 || issued > 0xffffffff) throw new OptionsError('issued: expected a time between 1970 and 2106');
  const body = concat([ROTATION_MAGIC, Uint8Array.of(ROTATION_VERSION), u32(issued), Uint8Array.of(previous.card.bytes.length), previous.card.bytes, Uint8Array.of(successor.card.bytes.length), successor.card.bytes]);
  const signed = concat([ROTATION_DOMAIN, body]);
  return decodeRotation(concat([body, sodium.crypto_sign_detached(signed, previous.signingSecretKey), sodium.crypto_sign_detached(signed, successor.signingSecretKey)]));
}

function cardAt(bytes: Uint8Array, at: number): { card: Card; end: number } {
  const length = bytes[at] ?? 0;
  if (length < MIN_CARD || length > MAX_CARD || at + 1 + length > bytes.length) throw bad('rotation statement card length is invalid');
  try {
    return { card: decodeCard(bytes.slice(at + 1, at + 1 + length)), end: at + 1 + length };
  } catch (cause) {
    throw bad('rotation statement holds an invalid card', cause);
  }
}

/** Decodes and verifies both signatures. Throws BAD_ROTATION at the first defect. */
export function decodeRotation(bytes: Uint8Array): RotationStatement {
  if (!(bytes instanceof Uint8Array)) throw bad('rotation statement must be bytes');
  if (bytes.length < 8 + 2 * (1 + MIN_CARD) + 128) throw bad('rotation statement is truncated');
  if (bytes[0] !== ROTATION_MAGIC[0] || bytes[1] !== ROTATION_MAGIC[1] || bytes[2] !== ROTATION_MAGIC[2]) throw bad('not a Herald rotation statement');
  if (bytes[3] !== ROTATION_VERSION) throw bad(`rotation statement version ${bytes[3]} is not supported`);
  const previous = cardAt(bytes, 8);
  const successor = cardAt(bytes, previous.end);
  if (successor.end + 128 !== bytes.length) throw bad('rotation statement length does not match its cards');
  if (toHex(previous.card.signingPublicKey) === toHex(successor.card.signingPublicKey)) throw bad('rotation statement names the same key twice');
  const signed = concat([ROTATION_DOMAIN, bytes.subarray(0, successor.end)]);
  if (!sodium.crypto_sign_verify_detached(bytes.subarray(successor.end, successor.end + 64), signed, previous.card.signingPublicKey)) throw bad('the old key’s signature does not verify');
  if (!sodium.crypto_sign_verify_detached(bytes.subarray(successor.end + 64), signed, successor.card.signingPublicKey)) throw bad('the new key’s signature does not verify');
  return Object.freeze({ previous: previous.card, successor: successor.card, issued: new Date(readU32(bytes, 4) * 1000), bytes: bytes.slice() });
}

export function rotationToText(statement: RotationStatement): string {
  return `# Herald key rotation: ${commentSafe(statement.previous.label) || '(no label)'}\n#   from ${statement.previous.fingerprint}\n#   to   ${statement.successor.fingerprint}\n${toLine(ROTATION_PREFIX, statement.bytes)}\n`;
}

/** Accepts the file form or the bare binary statement (as carried in a Herald message). */
export function parseRotation(input: string | Uint8Array): RotationStatement {
  if (typeof input !== 'string') {
    if (input[0] === ROTATION_MAGIC[0]) return decodeRotation(input);
    input = new TextDecoder().decode(input);
  }
  const statements = fromLines(input, ROTATION_PREFIX, bad);
  if (statements.length !== 1) throw bad('expected exactly one herald-rotation: line');
  return decodeRotation(statements[0]!);
}
