import { TrustError } from './errors.js';
import { concat, readU16, u16 } from './bytes.js';
import { decodeCertificate, type Certificate } from './certificate.js';
import { commentSafe, fromLines, toLine } from './text.js';

/**
 * A certificate chain: the subject's certificate first, then the certificate
 * of each sub-authority above it, up to one issued by a trust anchor.
 * Binary (inside envelopes, protocol.md 15.3): count u8 | count × (length u16 | certificate).
 */
export type CertificateChain = readonly Certificate[];

export const MAX_CHAIN_LENGTH = 8;
export const CERTIFICATE_PREFIX = 'herald-cert:';

const bad = (message: string, cause?: unknown): TrustError => new TrustError('BAD_CERTIFICATE', message, cause === undefined ? {} : { cause });

export function encodeChain(chain: CertificateChain): Uint8Array {
  if (chain.length === 0 || chain.length > MAX_CHAIN_LENGTH) throw bad(`a chain holds 1 to ${MAX_CHAIN_LENGTH} certificates`);
  return concat([Uint8Array.of(chain.length), ...chain.flatMap((certificate) => [u16(certificate.bytes.length), certificate.bytes])]);
}

/** Decodes a binary chain at `offset`; returns the chain and the offset just past it. */
export function decodeChain(bytes: Uint8Array, offset = 0): { chain: CertificateChain; end: number } {
  const count = bytes[offset];
  if (count === undefined || count === 0 || count > MAX_CHAIN_LENGTH) throw bad(`a chain holds 1 to ${MAX_CHAIN_LENGTH} certificates`);
  const chain: Certificate[] = [];
  let at = offset + 1;
  for (let index = 0; index < count; index++) {
    if (at + 2 > bytes.length) throw bad('certificate chain is truncated');
    const length = readU16(bytes, at);
    if (at + 2 + length > bytes.length) throw bad('certificate chain is truncated');
    chain.push(decodeCertificate(bytes.subarray(at + 2, at + 2 + length)));
    at += 2 + length;
  }
  return { chain, end: at };
}

/** The file form: comments naming subject, role, issuer and expiry of each certificate, then one `herald-cert:` line each, leaf first. */
export function chainToText(chain: CertificateChain): string {
  const comments = chain.map((certificate, index) => {
    const what = index === 0 ? 'Herald certificate' : 'issued by the authority in';
    const kind = certificate.authority ? `sub-authority, path length ${certificate.pathLength}` : 'member';
    const role = certificate.role === '' ? '' : `, role ${commentSafe(certificate.role)}`;
    return `# ${what}: ${commentSafe(certificate.subject.label) || '(no label)'} [${certificate.subject.fingerprint}] (${kind}${role})\n#   issuer ${certificate.issuerFingerprint}, valid ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}\n`;
  });
  return `${comments.join('')}${chain.map((certificate) => `${toLine(CERTIFICATE_PREFIX, certificate.bytes)}\n`).join('')}`;
}

/** Parses a certificate file (one or more `herald-cert:` lines, leaf first). Throws BAD_CERTIFICATE. */
export function parseChain(text: string): CertificateChain {
  const chain = fromLines(text, CERTIFICATE_PREFIX, bad).map((bytes) => decodeCertificate(bytes));
  if (chain.length > MAX_CHAIN_LENGTH) throw bad(`a chain holds at most ${MAX_CHAIN_LENGTH} certificates`);
  return chain;
}
