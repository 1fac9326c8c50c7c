import { constantTimeEqual, OptionsError } from '@herald/core';
import { TrustError } from '@herald/trust';
import { chainToText, issueCertificate, parseChain, type CertificateChain } from '@herald/trust';
import { UsageError } from '../errors.js';
import { readTextFile } from '../files.js';
import { writeStderr, writeStdout } from '../io.js';
import { loadCard, loadIdentity } from '../keys.js';
import { printable } from '../text.js';
import { expiryFlag } from './expiry.js';

export interface CertifyFlags {
  org?: string;
  card?: string;
  role?: string;
  expires?: string;
  authority?: boolean;
  'path-length'?: string;
  chain?: string;
  'passphrase-file'?: string;
}

/** Certifies a card with the authority's key; prints the chain (the new certificate, then the issuer's own chain for a sub-authority). */
export async function orgCertify(flags: CertifyFlags): Promise<void> {
  if (!flags.org || !flags.card) throw new UsageError('org certify needs --org KEY and --card CARD');
  if (flags['path-length'] !== undefined && !flags.authority) throw new UsageError('--path-length applies to --authority certificates only');
  const pathLength = flags['path-length'] === undefined ? 0 : Number(flags['path-length']);
  if (!Number.isInteger(pathLength) || pathLength < 0 || pathLength > 255) throw new UsageError(`--path-length must be a whole number from 0 to 255; got '${flags['path-length']}'`);
  const issuer = await loadIdentity(flags.org, flags['passphrase-file']);
  const subject = await loadCard(flags.card);
  const above: CertificateChain = flags.chain ? parseChain(await readTextFile(flags.chain, 'certificate file')) : [];
  if (above.length > 0) {
    // A sub-authority hands on its own chain; checking it here saves issuing certificates every node would refuse.
    const own = above[0]!;
    if (!constantTimeEqual(own.subject.signingPublicKey, issuer.card.signingPublicKey)) throw new TrustError('BAD_CERTIFICATE', `--chain certifies ${own.subject.fingerprint}, not the --org key ${issuer.card.fingerprint}`);
    if (!own.authority) throw new TrustError('NOT_AN_AUTHORITY', `${issuer.card.fingerprint} is not certified as an authority; it cannot certify others`);
    if (flags.authority && own.pathLength < 1) throw new TrustError('PATH_LENGTH_EXCEEDED', `${issuer.card.fingerprint} may not create sub-authorities (path length ${own.pathLength})`);
    if (flags.authority && pathLength > own.pathLength - 1) throw new TrustError('PATH_LENGTH_EXCEEDED', `--path-length ${pathLength} exceeds what ${issuer.card.fingerprint} may grant (${own.pathLength - 1})`);
  }
  const now = Date.now();
  const notAfter = expiryFlag(flags.expires, now);
  let certificate;
  try {
    certificate = issueCertificate({ issuer, subject, role: flags.role ?? '', notBefore: now, notAfter, ...(flags.authority ? { authority: { pathLength } } : {}) });
  } catch (error) {
    if (error instanceof OptionsError) throw new UsageError(error.message);
    throw error;
  }
  await writeStdout(chainToText([certificate, ...above]));
  await writeStderr(`certified ${printable(subject.label)} [${subject.fingerprint}]${flags.authority ? ` as a sub-authority (path length ${pathLength})` : ''}${certificate.role ? `, role ${printable(certificate.role)}` : ''}, until ${certificate.notAfter.toISOString()}\n`);
}
