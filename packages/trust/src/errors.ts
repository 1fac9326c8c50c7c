import { HeraldError } from '@herald/core';

/** Organisation trust: certificates, chains, revocation lists, rotation statements (docs/errors.md, "Trust errors"). */
export type TrustErrorCode =
  | 'UNCERTIFIED'
  | 'BAD_CERTIFICATE'
  | 'UNTRUSTED_AUTHORITY'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'NOT_AN_AUTHORITY'
  | 'PATH_LENGTH_EXCEEDED'
  | 'REVOKED'
  | 'BAD_REVOCATION_LIST'
  | 'STALE_REVOCATION_LIST'
  | 'BAD_ROTATION';

/**
 * A certificate chain, revocation list or rotation statement was refused, or a
 * sender does not meet the node's trust policy. Not retryable, except
 * CERT_NOT_YET_VALID: the same chain is accepted once the clock reaches it.
 */
export class TrustError extends HeraldError<TrustErrorCode> {
  override readonly name = 'TrustError';
  constructor(code: TrustErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, retryable: code === 'CERT_NOT_YET_VALID' });
  }
}
