import { describe, expect, it } from 'vitest';
import { generateIdentity } from '@herald/core';
import { TrustError } from '@herald/trust';
import { createRotation, fingerprintBytes, fingerprintFromText, fingerprintText, issueRevocationList, parseRevocationList, parseRotation, revocationListToText, revocationSet, rotationToText, spell } from '@herald/trust';
import { flipBits } from './helpers.js';

describe('revocation lists', () => {
  const authority = generateIdentity({ label: 'Mission X' });
  const lost = generateIdentity({ label: 'Lost phone' });
  const entries = [{ fingerprint: fingerprintFromText(lost.card.fingerprint), reason: 'lost' as const }];

  it('fingerprints survive typing: the 16 bytes of a typed fingerprint are those of the key', () => {
    expect(fingerprintFromText(lost.card.fingerprint.toLowerCase().replace(/ /g, '-'))).toEqual(fingerprintBytes(lost.card.signingPublicKey));
    expect(fingerprintText(fingerprintBytes(lost.card.signingPublicKey))).toBe(lost.card.fingerprint);
    expect(() => fingerprintFromText('not a fingerprint')).toThrow(/fingerprint/);
    expect(spell('7K3QX M2ZP9')).toEqual(['seven kilo three quebec x-ray', 'mike two zulu papa nine']);
  });

  it('the serial only grows: an older list, or another list under the same serial, is refused', () => {
    const set = revocationSet();
    const first = issueRevocationList({ issuer: authority, serial: 1, entries: [] });
    const second = issueRevocationList({ issuer: authority, serial: 2, entries });
    expect(set.accept(second)).toBe('updated');
    expect(set.accept(second)).toBe('unchanged');
    expect(() => set.accept(first)).toThrow(expect.objectContaining({ code: 'STALE_REVOCATION_LIST' }));
    const conflicting = issueRevocationList({ issuer: authority, serial: 2, entries: [] });
    expect(() => set.accept(conflicting)).toThrow(expect.objectContaining({ code: 'STALE_REVOCATION_LIST' }));
    expect(set.revoked(lost.card.signingPublicKey, [authority.card.signingPublicKey])?.entry.reason).toBe('lost');
    expect(set.accept(issueRevocationList({ issuer: authority, serial: 3, entries: [] }))).toBe('updated');
    expect(set.revoked(lost.card.signingPublicKey, [authority.card.signingPublicKey])).toBeUndefined();
  });

  it('file forms round-trip; a tampered list is refused', () => {
    const list = issueRevocationList({ issuer: authority, serial: 7, entries });
    expect(parseRevocationList(revocationListToText(list)).serial).toBe(7);
    const bytes = list.bytes.slice();
    flipBits(bytes, 40, 1);
    expect(() => parseRevocationList(bytes)).toThrow(TrustError);
    const successor = generateIdentity({ label: 'Lost phone' });
    const rotation = createRotation(lost, successor);
    expect(parseRotation(rotationToText(rotation)).successor.fingerprint).toBe(successor.card.fingerprint);
  });
});
