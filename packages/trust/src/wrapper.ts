import { TrustError } from './errors.js';
import { concat, fromUtf8, utf8 } from './bytes.js';
import { decodeChain, encodeChain, type CertificateChain } from './chain.js';

/**
 * How a certificate chain travels inside a sealed envelope without changing
 * envelope version 1: the plaintext becomes a wrapper of this content type,
 * signed and encrypted like any body (protocol.md 15.3):
 *   version u8 (1) | chain | inner content type length u8 (1..255) | inner content type | inner body
 */
export const CERTIFIED_CONTENT_TYPE = 'application/vnd.herald.certified';
/** A revocation list as a Herald message: the body is the binary list (or its file form). */
export const REVOCATION_CONTENT_TYPE = 'application/vnd.herald.revocation';
/** A rotation statement as a Herald message, sent by the new key to the old key's contacts. */
export const ROTATION_CONTENT_TYPE = 'application/vnd.herald.rotation';

const WRAPPER_VERSION = 1;

export interface Unwrapped {
  readonly chain: CertificateChain;
  readonly contentType: string;
  readonly body: Uint8Array;
}

export function wrapCertified(chain: CertificateChain, contentType: string, body: Uint8Array): Uint8Array {
  const type = utf8(contentType);
  if (type.length === 0 || type.length > 255) throw new TrustError('BAD_CERTIFICATE', 'inner content type must be 1 to 255 UTF-8 bytes');
  return concat([Uint8Array.of(WRAPPER_VERSION), encodeChain(chain), Uint8Array.of(type.length), type, body]);
}

/** Throws BAD_CERTIFICATE when the wrapper or a certificate in it is malformed. */
export function unwrapCertified(bytes: Uint8Array): Unwrapped {
  if (bytes[0] !== WRAPPER_VERSION) throw new TrustError('BAD_CERTIFICATE', `certified wrapper version ${String(bytes[0])} is not supported`);
  const { chain, end } = decodeChain(bytes, 1);
  const length = bytes[end];
  if (length === undefined || length === 0 || end + 1 + length > bytes.length) throw new TrustError('BAD_CERTIFICATE', 'certified wrapper content type is invalid');
  let contentType: string;
  try {
    contentType = fromUtf8(bytes.subarray(end + 1, end + 1 + length));
  } catch (cause) {
    throw new TrustError('BAD_CERTIFICATE', 'certified wrapper content type is not valid UTF-8', { cause });
  }
  // A wrapper inside a wrapper would let a sender stack chains; one level only.
  if (contentType === CERTIFIED_CONTENT_TYPE) throw new TrustError('BAD_CERTIFICATE', 'a certified wrapper inside another');
  return { chain, contentType, body: bytes.slice(end + 1 + length) };
}
