import { concatBytes, fromUtf8, readU32, toBase64Url, utf8, writeU32 } from './bytes.js';
import { crockfordEncode, crockfordNormalize } from './base32.js';
import { DOMAIN } from './domains.js';
import { KeyError } from './errors.js';
import { sodium } from './sodium.js';
import { decodeTextLine } from './text-line.js';

/**
 * A public contact card: both public keys and a label, self-signed with the
 * Ed25519 key so the X25519 key and label cannot be swapped by whoever carries it.
 */
export interface Card {
  readonly signingPublicKey: Uint8Array;
  readonly agreementPublicKey: Uint8Array;
  readonly label: string;
  readonly created: Date;
  /** Canonical encoding, signature included. */
  readonly bytes: Uint8Array;
  /** 25 Crockford base32 characters in five groups of five, e.g. `7K3QX M2ZP9 …`. */
  readonly fingerprint: string;
  /** First 8 bytes of the fingerprint hash; names the sender in compact envelopes. */
  readonly keyId: Uint8Array;
  /** Opaque 16-byte tag that envelopes for this card carry; relays route by it. For a version-2 card, the static tag (kept for compatibility; see epochSeconds). */
  readonly routingTag: Uint8Array;
  /**
   * Version-2 cards only: the length of a routing-tag epoch in seconds (≥ 1). Envelopes for such a card carry the
   * epoch tag of the sender's clock (epoch/tags.ts) instead of `routingTag`. Absent on version-1 cards.
   */
  readonly epochSeconds?: number;
}

export const CARD_VERSION = 1;
/** Version 2: version 1 plus `epochSeconds`, for epoch routing tags. */
export const CARD_VERSION_EPOCHS = 2;
export const MAX_LABEL_BYTES = 64;
export const CARD_TEXT_PREFIX = 'herald-card:';
const FIXED_PREFIX = 1 + 32 + 32 + 4 + 1;
const SIGNATURE_BYTES = 64;
export const FINGERPRINT_BITS = 125;

export function fingerprintHash(signingPublicKey: Uint8Array): Uint8Array {
  return sodium.crypto_generichash(32, signingPublicKey, DOMAIN.fingerprint);
}

const PROBE_SCALAR = new Uint8Array(32).fill(0x5a);

/** A small-order point makes every shared secret all-zero (libsodium refuses it); such a key can receive nothing. */
function isWeakAgreementKey(key: Uint8Array): boolean {
  try {
    sodium.crypto_scalarmult(PROBE_SCALAR, key);
    return false;
  } catch {
    return true;
  }
}

export function formatFingerprint(hash: Uint8Array): string {
  return crockfordEncode(hash, FINGERPRINT_BITS).replace(/(.{5})(?=.)/g, '$1 ');
}

export function routingTagFor(agreementPublicKey: Uint8Array): Uint8Array {
  return sodium.crypto_generichash(16, agreementPublicKey, DOMAIN.routingTag);
}

export function validateLabel(label: string): string | undefined {
  if (utf8(label).length > MAX_LABEL_BYTES) return `label is longer than ${MAX_LABEL_BYTES} UTF-8 bytes`;
  if (/[\u0000-\u001f\u007f]/.test(label)) return 'label contains control characters';
  return undefined;
}

/** Where a card version's fields sit: v2 inserts epochSeconds u32 after `created`. */
interface CardLayout {
  readonly labelLengthAt: number;
  readonly fixedPrefix: number;
}
const LAYOUTS: ReadonlyMap<number, CardLayout> = new Map([
  [CARD_VERSION, { labelLengthAt: 69, fixedPrefix: FIXED_PREFIX }],
  [CARD_VERSION_EPOCHS, { labelLengthAt: 73, fixedPrefix: FIXED_PREFIX + 4 }],
]);

/**
 * The bytes a card's self-signature covers: everything before the signature. With `epochSeconds` the card is
 * version 2 (epoch routing tags, docs/protocol.md section 4); without it, version 1.
 */
export function cardSignedPart(signingPublicKey: Uint8Array, agreementPublicKey: Uint8Array, label: string, createdSeconds: number, epochSeconds?: number): Uint8Array {
  const version = epochSeconds === undefined ? CARD_VERSION : CARD_VERSION_EPOCHS;
  const layout = LAYOUTS.get(version)!;
  const labelBytes = utf8(label);
  const out = new Uint8Array(layout.fixedPrefix + labelBytes.length);
  out[0] = version;
  out.set(signingPublicKey, 1);
  out.set(agreementPublicKey, 33);
  writeU32(out, 65, createdSeconds);
  if (epochSeconds !== undefined) writeU32(out, 69, epochSeconds);
  out[layout.labelLengthAt] = labelBytes.length;
  out.set(labelBytes, layout.fixedPrefix);
  return out;
}

export function buildCard(signedPart: Uint8Array, signature: Uint8Array): Card {
  return decodeCard(concatBytes([signedPart, signature]));
}

/** Decodes and verifies a binary card (version 1 or 2). Throws KeyError BAD_CARD on any defect. */
export function decodeCard(bytes: Uint8Array): Card {
  if (bytes.length < FIXED_PREFIX + SIGNATURE_BYTES) throw new KeyError('BAD_CARD', 'contact card is truncated');
  const layout = LAYOUTS.get(bytes[0] ?? 0);
  if (layout === undefined) throw new KeyError('BAD_CARD', `contact card version ${bytes[0]} is not supported`);
  if (bytes.length < layout.fixedPrefix + SIGNATURE_BYTES) throw new KeyError('BAD_CARD', 'contact card is truncated');
  const labelLength = bytes[layout.labelLengthAt] ?? 0;
  const fixed = layout.fixedPrefix;
  if (labelLength > MAX_LABEL_BYTES) throw new KeyError('BAD_CARD', 'contact card label is too long');
  if (bytes.length !== fixed + labelLength + SIGNATURE_BYTES) {
    throw new KeyError('BAD_CARD', 'contact card length does not match its label length');
  }
  const signedPart = bytes.subarray(0, fixed + labelLength);
  const signature = bytes.subarray(fixed + labelLength);
  const signingPublicKey = bytes.slice(1, 33);
  if (!sodium.crypto_sign_verify_detached(signature, concatBytes([DOMAIN.cardSignature, signedPart]), signingPublicKey)) {
    throw new KeyError('BAD_CARD', 'contact card signature does not verify');
  }
  const epochSeconds = bytes[0] === CARD_VERSION_EPOCHS ? readU32(bytes, 69) : undefined;
  if (epochSeconds === 0) throw new KeyError('BAD_CARD', 'contact card epoch length is zero');
  let label: string;
  try {
    label = fromUtf8(bytes.subarray(fixed, fixed + labelLength));
  } catch (cause) {
    throw new KeyError('BAD_CARD', 'contact card label is not valid UTF-8', { cause });
  }
  const labelProblem = validateLabel(label);
  if (labelProblem) throw new KeyError('BAD_CARD', `contact card ${labelProblem}`);
  const agreementPublicKey = bytes.slice(33, 65);
  if (isWeakAgreementKey(agreementPublicKey)) throw new KeyError('BAD_CARD', 'contact card carries a small-order X25519 key');
  const hash = fingerprintHash(signingPublicKey);
  return Object.freeze({
    signingPublicKey,
    agreementPublicKey,
    label,
    created: new Date(readU32(bytes, 65) * 1000),
    bytes: bytes.slice(),
    fingerprint: formatFingerprint(hash),
    keyId: hash.slice(0, 8),
    routingTag: routingTagFor(agreementPublicKey),
    ...(epochSeconds === undefined ? {} : { epochSeconds }),
  });
}

/** One line of text: `herald-card:` followed by the card in base64url. */
export function cardToText(card: Card): string {
  return CARD_TEXT_PREFIX + toBase64Url(card.bytes);
}

/** The file form: comment lines for people, then the one-line card. */
export function cardToFile(card: Card): string {
  const label = card.label === '' ? '(no label)' : card.label;
  return `# Herald contact card: ${label}\n# fingerprint: ${card.fingerprint}\n${cardToText(card)}\n`;
}

/** Accepts the one-line form or a card file (comment lines starting with `#` are ignored). */
export function parseCard(text: string): Card {
  return decodeCard(decodeTextLine(text, CARD_TEXT_PREFIX, (message, cause) => new KeyError('BAD_CARD', `contact card: ${message}`, { cause })));
}

/** Compares a card with a fingerprint as a person typed it (any case, spaces or hyphens). */
export function fingerprintMatches(card: Card, typed: string): boolean {
  const normalized = crockfordNormalize(typed);
  if (normalized === undefined) throw new KeyError('BAD_FINGERPRINT', 'fingerprint contains characters outside Crockford base32');
  return normalized === card.fingerprint.replace(/ /g, '');
}
