import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, identityFromSecrets, toHex, type Identity } from '@herald/core';
import { createRotation, decodeCertificate, decodeRevocationList, decodeRotation, fingerprintFromText, issueCertificate, issueRevocationList, parseRevocationList, unwrapCertified, wrapCertified, type RevocationReason } from '@herald/trust';

interface Vectors {
  identities: { label: string; signingSeed: string; agreementSecretKey: string; created: number; card: string; fingerprint: string }[];
  certificates: { name: string; issuer: string; subject: string; role: string; notBefore: number; notAfter: number; authority?: { pathLength: number }; bytes: string; size: number }[];
  revocationLists: { name: string; issuer: string; serial: number; issued: number; entries: { fingerprint: string; revokedAt: number; reason: RevocationReason }[]; bytes: string; text: string }[];
  rotations: { name: string; previous: string; successor: string; issued: number; bytes: string }[];
  wrappers: { name: string; chain: string[]; contentType: string; body: string; bytes: string }[];
}

const vectors = JSON.parse(readFileSync(new URL('./vectors/trust.json', import.meta.url), 'utf8')) as Vectors;
const ids = new Map<string, Identity>(vectors.identities.map((v) => [v.label, identityFromSecrets(fromHex(v.signingSeed), fromHex(v.agreementSecretKey), v.label, v.created)]));
const id = (label: string): Identity => ids.get(label) ?? (() => { throw new Error(label); })();

describe('trust test vectors (docs/protocol.md section 15.9)', () => {
  it('identities rebuild from their seeds', () => {
    for (const v of vectors.identities) expect(id(v.label).card.fingerprint).toBe(v.fingerprint);
  });

  for (const v of vectors.certificates) {
    it(`certificate "${v.name}": fixed seeds give exactly the recorded bytes, which decode back`, () => {
      const certificate = issueCertificate({ issuer: id(v.issuer), subject: id(v.subject).card, role: v.role, notBefore: v.notBefore * 1000, notAfter: v.notAfter * 1000, ...(v.authority ? { authority: v.authority } : {}) });
      expect(toHex(certificate.bytes)).toBe(v.bytes);
      expect(certificate.bytes.length).toBe(v.size);
      const decoded = decodeCertificate(fromHex(v.bytes));
      expect(decoded.subject.fingerprint).toBe(id(v.subject).card.fingerprint);
      expect(decoded.issuerFingerprint).toBe(id(v.issuer).card.fingerprint);
      expect(decoded.role).toBe(v.role);
      expect(decoded.authority).toBe(v.authority !== undefined);
      expect(decoded.pathLength).toBe(v.authority?.pathLength ?? 0);
      expect(decoded.notAfter.getTime()).toBe(v.notAfter * 1000);
    });
  }

  for (const v of vectors.revocationLists) {
    it(`revocation list "${v.name}": exact bytes, and the file form parses back`, () => {
      const list = issueRevocationList({ issuer: id(v.issuer), serial: v.serial, issued: v.issued * 1000, entries: v.entries.map((e) => ({ fingerprint: fingerprintFromText(e.fingerprint), revokedAt: e.revokedAt * 1000, reason: e.reason })) });
      expect(toHex(list.bytes)).toBe(v.bytes);
      const decoded = decodeRevocationList(fromHex(v.bytes));
      expect(decoded.serial).toBe(v.serial);
      expect(decoded.entries.map((e) => [e.fingerprintText, e.reason]).sort()).toEqual(v.entries.map((e) => [e.fingerprint, e.reason]).sort());
      expect(toHex(parseRevocationList(v.text).bytes)).toBe(v.bytes);
    });
  }

  for (const v of vectors.rotations) {
    it(`rotation "${v.name}": exact bytes, both signatures verify`, () => {
      expect(toHex(createRotation(id(v.previous), id(v.successor), v.issued * 1000).bytes)).toBe(v.bytes);
      const decoded = decodeRotation(fromHex(v.bytes));
      expect(decoded.previous.fingerprint).toBe(id(v.previous).card.fingerprint);
      expect(decoded.successor.fingerprint).toBe(id(v.successor).card.fingerprint);
    });
  }

  for (const v of vectors.wrappers) {
    it(`certified wrapper "${v.name}": exact bytes and unwrap`, () => {
      const chain = v.chain.map((name) => decodeCertificate(fromHex(vectors.certificates.find((c) => c.name === name)!.bytes)));
      expect(toHex(wrapCertified(chain, v.contentType, fromHex(v.body)))).toBe(v.bytes);
      const unwrapped = unwrapCertified(fromHex(v.bytes));
      expect(unwrapped.contentType).toBe(v.contentType);
      expect(toHex(unwrapped.body)).toBe(v.body);
      expect(unwrapped.chain.map((c) => toHex(c.bytes))).toEqual(chain.map((c) => toHex(c.bytes)));
    });
  }
});
