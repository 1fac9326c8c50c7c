import { OptionsError, decodeCard, toHex, type Card, type Identity } from '@herald/core';
import { TrustError } from './errors.js';
import { concat, fromUtf8, hasControlCharacters, readU32, seconds, u32, utf8 } from './bytes.js';
import { CERTIFICATE_DOMAIN } from './domains.js';
import { fingerprintText, fingerprintBytes } from './fingerprint.js';
import { sodium } from './sodium.js';

/**
 * A certificate: an authority's Ed25519 signature binding a contact card (both
 * keys and the label) to a role and a validity period, and, for a
 * sub-authority, the right to certify others up to a path length.
 * Layout (docs/protocol.md section 15.2):
 *   "HCT" | version 1 | issuer key 32 | notBefore u32 | notAfter u32 | flags u8 | path length u8
 *   | role length u8 | role | card length u8 | card | signature 64
 */
export interface Certificate {
  /** Signing key of the authority that issued it. */
  readonly issuerKey: Uint8Array;
  readonly issuerFingerprint: string;
  readonly subject: Card;
  readonly role: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** May certify others (a sub-authority). */
  readonly authority: boolean;
  /** For an authority: how many further sub-authorities may stand below it. 0 otherwise. */
  readonly pathLength: number;
  readonly bytes: Uint8Array;
}

export const CERTIFICATE_MAGIC = utf8('HCT');
export const CERTIFICATE_VERSION = 1;
export const FLAG_AUTHORITY = 0x01;
export const MAX_ROLE_BYTES = 64;
const MIN_CARD = 134;
const MAX_CARD = 198;
/** Everything but the role and the card: magic+version 4, issuer 32, times 8, flags 1, path 1, two lengths 2, signature 64. */
const FIXED_BYTES = 4 + 32 + 8 + 1 + 1 + 1 + 1 + 64;
export const MIN_CERTIFICATE_BYTES = FIXED_BYTES + MIN_CARD;
export const MAX_CERTIFICATE_BYTES = FIXED_BYTES + MAX_ROLE_BYTES + MAX_CARD;

export interface IssueCertificateInit {
  readonly issuer: Identity;
  readonly subject: Card;
  readonly role?: string;
  /** ms since the epoch. Default: now. */
  readonly notBefore?: number;
  /** ms since the epoch. Required: every certificate expires. */
  readonly notAfter: number;
  /** Makes the subject a sub-authority that may certify others, with at most `pathLength` sub-authorities below it. */
  readonly authority?: { readonly pathLength: number };
}

function roleProblem(role: string): string | undefined {
  if (utf8(role).length > MAX_ROLE_BYTES) return `role is longer than ${MAX_ROLE_BYTES} UTF-8 bytes`;
  if (hasControlCharacters(role)) return 'role contains control characters';
  return undefined;
}

function signedPart(init: IssueCertificateInit, role: Uint8Array, notBefore: number, notAfter: number): Uint8Array {
  const flags = init.authority ? FLAG_AUTHORITY : 0;
  const path = init.authority?.pathLength ?? 0;
  const card = init.subject.bytes;
  return concat([CERTIFICATE_MAGIC, Uint8Array.of(CERTIFICATE_VERSION), init.issuer.card.signingPublicKey, u32(notBefore), u32(notAfter), Uint8Array.of(flags, path, role.length), role, Uint8Array.of(card.length), card]);
}

/** Issues (signs) a certificate for `subject` with the issuer's identity. */
export function issueCertificate(init: IssueCertificateInit): Certificate {
  const role = init.role ?? '';
  const problem = roleProblem(role);
  if (problem) throw new OptionsError(`role: ${problem}`);
  const notBefore = seconds(init.notBefore ?? Date.now());
  const notAfter = seconds(init.notAfter);
  if (!Number.isFinite(init.notAfter) || notBefore < 0 || notAfter > 0xffffffff || notAfter < notBefore) throw new OptionsError('notAfter: expected a time after notBefore and before 2106');
  const path = init.authority?.pathLength ?? 0;
  if (!Number.isInteger(path) || path < 0 || path > 255) throw new OptionsError('authority.pathLength: expected a whole number from 0 to 255');
  if (toHex(init.issuer.card.signingPublicKey) === toHex(init.subject.signingPublicKey)) throw new OptionsError('subject: an authority does not certify itself (its card is the trust anchor)');
  const body = signedPart(init, utf8(role), notBefore, notAfter);
  const signature = sodium.crypto_sign_detached(concat([CERTIFICATE_DOMAIN, body]), init.issuer.signingSecretKey);
  return decodeCertificate(concat([body, signature]));
}

const bad = (message: string, cause?: unknown): TrustError => new TrustError('BAD_CERTIFICATE', message, cause === undefined ? {} : { cause });

/** Decodes and checks one certificate's own signature and structure. Throws TrustError BAD_CERTIFICATE at the first defect (protocol.md 15.2). */
export function decodeCertificate(bytes: Uint8Array): Certificate {
  if (!(bytes instanceof Uint8Array)) throw bad('certificate must be bytes');
  if (bytes.length < MIN_CERTIFICATE_BYTES) throw bad('certificate is truncated');
  if (bytes[0] !== CERTIFICATE_MAGIC[0] || bytes[1] !== CERTIFICATE_MAGIC[1] || bytes[2] !== CERTIFICATE_MAGIC[2]) throw bad('not a Herald certificate');
  if (bytes[3] !== CERTIFICATE_VERSION) throw bad(`certificate version ${bytes[3]} is not supported`);
  const flags = bytes[44] ?? 0;
  const pathLength = bytes[45] ?? 0;
  const roleLength = bytes[46] ?? 0;
  if ((flags & ~FLAG_AUTHORITY) !== 0) throw bad('reserved certificate flags are set');
  const authority = (flags & FLAG_AUTHORITY) !== 0;
  if (!authority && pathLength !== 0) throw bad('a path length on a certificate that is not an authority');
  if (roleLength > MAX_ROLE_BYTES) throw bad('certificate role is too long');
  const cardAt = 47 + roleLength + 1;
  const cardLength = bytes[cardAt - 1] ?? 0;
  if (cardLength < MIN_CARD || cardLength > MAX_CARD || bytes.length !== FIXED_BYTES + roleLength + cardLength) throw bad('certificate length does not match its role and card lengths');
  const notBefore = readU32(bytes, 36);
  const notAfter = readU32(bytes, 40);
  if (notAfter < notBefore) throw bad('certificate expires before it begins');
  const issuerKey = bytes.slice(4, 36);
  const signatureAt = bytes.length - 64;
  // The signature first, as for cards: nothing inside is believed before it verifies.
  if (!sodium.crypto_sign_verify_detached(bytes.subarray(signatureAt), concat([CERTIFICATE_DOMAIN, bytes.subarray(0, signatureAt)]), issuerKey)) throw bad('certificate signature does not verify (forged or altered)');
  let role: string;
  try {
    role = fromUtf8(bytes.subarray(47, 47 + roleLength));
  } catch (cause) {
    throw bad('certificate role is not valid UTF-8', cause);
  }
  if (hasControlCharacters(role)) throw bad('certificate role contains control characters');
  let subject: Card;
  try {
    subject = decodeCard(bytes.slice(cardAt, cardAt + cardLength));
  } catch (cause) {
    throw bad('certificate subject is not a valid card', cause);
  }
  if (toHex(subject.signingPublicKey) === toHex(issuerKey)) throw bad('a certificate issued by its own subject');
  return Object.freeze({
    issuerKey,
    issuerFingerprint: fingerprintText(fingerprintBytes(issuerKey)),
    subject,
    role,
    notBefore: new Date(notBefore * 1000),
    notAfter: new Date(notAfter * 1000),
    authority,
    pathLength,
    bytes: bytes.slice(),
  });
}
