import { describe, expect, it } from 'vitest';
import { generateIdentity } from '@herald/core';
import { TrustError } from '@herald/trust';
import { chainToText, decodeCertificate, fingerprintBytes, issueCertificate, issueRevocationList, parseChain, revocationSet, verifyChain } from '@herald/trust';
import { DAY, HOUR, flipBits, organisation } from './helpers.js';

const code = (run: () => unknown): string => {
  try {
    run();
    return 'OK';
  } catch (error) {
    if (!(error instanceof TrustError)) throw error;
    return error.code;
  }
};

describe('certificate chains', () => {
  const now = Date.now();
  const org = organisation(now);

  it('a valid chain, directly and through a sub-authority, names the anchor and the role', () => {
    const direct = org.member('Alice');
    const verified = verifyChain(direct.chain, { anchors: org.anchors, now });
    expect(verified.subject.fingerprint).toBe(direct.identity.card.fingerprint);
    expect(verified.anchor.fingerprint).toBe(org.root.card.fingerprint);
    expect(verified.role).toBe('member');
    const viaOffice = org.member('Bob', org.office, [org.officeCert]);
    expect(verifyChain(viaOffice.chain, { anchors: org.anchors, now }).chain).toHaveLength(2);
    // The file form round-trips, leaf first.
    expect(parseChain(chainToText(viaOffice.chain)).map((c) => c.subject.fingerprint)).toEqual([viaOffice.identity.card.fingerprint, org.office.card.fingerprint]);
  });

  it('expired and not yet valid certificates are refused (with the clock skew)', () => {
    const old = org.member('Old', org.root, [], { notBefore: now - 10 * DAY, notAfter: now - DAY });
    expect(code(() => verifyChain(old.chain, { anchors: org.anchors, now }))).toBe('CERT_EXPIRED');
    const future = org.member('Future', org.root, [], { notBefore: now + DAY, notAfter: now + 2 * DAY });
    expect(code(() => verifyChain(future.chain, { anchors: org.anchors, now }))).toBe('CERT_NOT_YET_VALID');
    // An expired sub-authority certificate expires everything under it.
    const staleOffice = issueCertificate({ issuer: org.root, subject: org.office.card, notBefore: now - 2 * DAY, notAfter: now - HOUR, authority: { pathLength: 0 } });
    const under = org.member('Under', org.office, [staleOffice]);
    expect(code(() => verifyChain(under.chain, { anchors: org.anchors, now }))).toBe('CERT_EXPIRED');
    expect(code(() => verifyChain(old.chain, { anchors: org.anchors, now: now - 2 * DAY }))).toBe('OK');
  });

  it('revoked whatever the revoked-at time says: a list dated after the message, or after now, still revokes', () => {
    const alice = org.member('Alice');
    const revocations = revocationSet();
    // Informational only (threat model 15.2): a thief can backdate what it signs, so no time earlier than revokedAt is trusted.
    revocations.accept(issueRevocationList({ issuer: org.root, serial: 1, entries: [{ fingerprint: fingerprintBytes(alice.identity.card.signingPublicKey), revokedAt: now + 30 * DAY, reason: 'lost' }] }));
    expect(code(() => verifyChain(alice.chain, { anchors: org.anchors, now, revocations }))).toBe('REVOKED');
  });

  it('revoked: the member, or the sub-authority above it (which withdraws its whole branch)', () => {
    const alice = org.member('Alice', org.office, [org.officeCert]);
    const revocations = revocationSet();
    expect(code(() => verifyChain(alice.chain, { anchors: org.anchors, now, revocations }))).toBe('OK');
    revocations.accept(issueRevocationList({ issuer: org.root, serial: 1, entries: [{ fingerprint: fingerprintBytes(org.office.card.signingPublicKey), reason: 'compromised' }] }));
    expect(code(() => verifyChain(alice.chain, { anchors: org.anchors, now, revocations }))).toBe('REVOKED');
    // A sub-authority may revoke what it issued.
    const bob = org.member('Bob', org.office, [org.officeCert]);
    const officeList = revocationSet();
    officeList.accept(issueRevocationList({ issuer: org.office, serial: 1, entries: [{ fingerprint: fingerprintBytes(bob.identity.card.signingPublicKey), reason: 'lost' }] }));
    expect(code(() => verifyChain(bob.chain, { anchors: org.anchors, now, revocations: officeList }))).toBe('REVOKED');
    // …but not what its parent issued directly.
    const carol = org.member('Carol');
    officeList.accept(issueRevocationList({ issuer: org.office, serial: 2, entries: [{ fingerprint: fingerprintBytes(carol.identity.card.signingPublicKey) }] }));
    expect(code(() => verifyChain(carol.chain, { anchors: org.anchors, now, revocations: officeList }))).toBe('OK');
  });

  it('a forged certificate is refused: altered bytes, or signed by a key posing as the authority', () => {
    const alice = org.member('Alice');
    const bytes = alice.chain[0]!.bytes.slice();
    flipBits(bytes, bytes.length - 70, 0x01); // inside the card, under the signature
    expect(code(() => decodeCertificate(bytes))).toBe('BAD_CERTIFICATE');
    const impostor = generateIdentity({ label: 'Mission X' });
    const forged = issueCertificate({ issuer: impostor, subject: alice.identity.card, notAfter: now + DAY });
    expect(code(() => verifyChain([forged], { anchors: org.anchors, now }))).toBe('UNTRUSTED_AUTHORITY');
    // Swapping the issuer key for the real authority's breaks the signature.
    const swapped = forged.bytes.slice();
    swapped.set(org.root.card.signingPublicKey, 4);
    expect(code(() => decodeCertificate(swapped))).toBe('BAD_CERTIFICATE');
  });

  it('a sub-authority beyond its path length, and a member acting as an authority, are refused', () => {
    // The office may have 0 sub-authorities below it; it certifies a team lead as one anyway.
    const lead = generateIdentity({ label: 'Team lead' });
    const leadCert = issueCertificate({ issuer: org.office, subject: lead.card, notAfter: now + DAY, authority: { pathLength: 0 } });
    const deep = org.member('Deep', lead, [leadCert, org.officeCert]);
    expect(code(() => verifyChain(deep.chain, { anchors: org.anchors, now }))).toBe('PATH_LENGTH_EXCEEDED');
    // With path length 1 the same shape is fine.
    const wideOffice = issueCertificate({ issuer: org.root, subject: org.office.card, notAfter: now + DAY, authority: { pathLength: 1 } });
    expect(code(() => verifyChain([deep.chain[0]!, leadCert, wideOffice], { anchors: org.anchors, now }))).toBe('OK');
    // A member (no authority flag) certifying someone.
    const alice = org.member('Alice');
    const mallory = org.member('Mallory', alice.identity, alice.chain);
    expect(code(() => verifyChain(mallory.chain, { anchors: org.anchors, now }))).toBe('NOT_AN_AUTHORITY');
  });

  it('chains that do not link, or are empty, are refused', () => {
    const alice = org.member('Alice', org.office, [org.officeCert]);
    const bob = org.member('Bob');
    expect(code(() => verifyChain([alice.chain[0]!, bob.chain[0]!], { anchors: org.anchors, now }))).toBe('BAD_CERTIFICATE');
    expect(code(() => verifyChain([], { anchors: org.anchors, now }))).toBe('UNCERTIFIED');
  });
});
