import { constantTimeEqual, toHex, type Card } from '@herald/core';
import { TrustError } from './errors.js';
import type { CertificateChain } from './chain.js';
import { MAX_CHAIN_LENGTH } from './chain.js';
import type { RevocationSet } from './revocation-set.js';

export interface VerifyOptions {
  /** Cards of the trusted authorities (trust anchors). */
  readonly anchors: readonly Card[];
  readonly revocations?: RevocationSet;
  /** The time to judge validity at, ms. Default now. */
  readonly now?: number;
  /** Tolerance for clocks on both sides, as for envelopes. Default 300 s. */
  readonly maxClockSkewSeconds?: number;
}

export interface VerifiedChain {
  /** The certified card: the first certificate's subject. */
  readonly subject: Card;
  readonly anchor: Card;
  readonly role: string;
  readonly chain: CertificateChain;
  /** The earliest expiry in the chain. */
  readonly validUntil: Date;
}

/**
 * Checks a chain, leaf first, in this order (protocol.md 15.6), so the same
 * chain gives the same code everywhere: length, links, trust anchor, authority
 * flags and path lengths, revocation, then validity periods. Each certificate's
 * own signature was checked when it was decoded.
 */
export function verifyChain(chain: CertificateChain, options: VerifyOptions): VerifiedChain {
  if (chain.length === 0) throw new TrustError('UNCERTIFIED', 'no certificate');
  if (chain.length > MAX_CHAIN_LENGTH) throw new TrustError('BAD_CERTIFICATE', `a chain holds at most ${MAX_CHAIN_LENGTH} certificates`);
  for (let index = 0; index + 1 < chain.length; index++) {
    if (!constantTimeEqual(chain[index]!.issuerKey, chain[index + 1]!.subject.signingPublicKey)) throw new TrustError('BAD_CERTIFICATE', `certificate ${index + 1} of the chain was not issued by the subject of certificate ${index + 2}`);
  }
  const top = chain[chain.length - 1]!;
  const anchor = options.anchors.find((card) => constantTimeEqual(card.signingPublicKey, top.issuerKey));
  if (!anchor) throw new TrustError('UNTRUSTED_AUTHORITY', `the chain ends at ${top.issuerFingerprint}, which is not a trusted authority`);
  for (let index = 1; index < chain.length; index++) {
    const issuer = chain[index]!;
    if (!issuer.authority) throw new TrustError('NOT_AN_AUTHORITY', `${issuer.subject.fingerprint} issued a certificate but is not certified as an authority`);
    // index − 1 sub-authorities stand below this one in the chain.
    if (index - 1 > issuer.pathLength) throw new TrustError('PATH_LENGTH_EXCEEDED', `sub-authority ${issuer.subject.fingerprint} may have ${issuer.pathLength} sub-authorities below it; this chain has ${index - 1}`);
  }
  if (options.revocations) {
    for (let index = 0; index < chain.length; index++) {
      // Any authority above a certificate may withdraw it: its issuer and every issuer further up.
      const issuers = chain.slice(index).map((certificate) => certificate.issuerKey);
      const hit = options.revocations.revoked(chain[index]!.subject.signingPublicKey, issuers);
      if (hit) throw new TrustError('REVOKED', `${chain[index]!.subject.fingerprint} was revoked (${hit.entry.reason}) by ${hit.list.issuerFingerprint} in revocation list ${hit.list.serial}`);
    }
  }
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const skew = options.maxClockSkewSeconds ?? 300;
  for (const certificate of chain) {
    if (certificate.notBefore.getTime() / 1000 > now + skew) throw new TrustError('CERT_NOT_YET_VALID', `the certificate of ${certificate.subject.fingerprint} is valid from ${certificate.notBefore.toISOString()}`);
    if (certificate.notAfter.getTime() / 1000 + skew < now) throw new TrustError('CERT_EXPIRED', `the certificate of ${certificate.subject.fingerprint} expired at ${certificate.notAfter.toISOString()}`);
  }
  const validUntil = new Date(Math.min(...chain.map((certificate) => certificate.notAfter.getTime())));
  return { subject: chain[0]!.subject, anchor, role: chain[0]!.role, chain, validUntil };
}

/** Whether `card` is a trust anchor. */
export const isAnchor = (anchors: readonly Card[], key: Uint8Array): boolean => anchors.some((card) => toHex(card.signingPublicKey) === toHex(key));
