import { generateIdentity, type Card, type Identity } from '@herald/core';
import { issueCertificate, type Certificate } from '@herald/trust';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** An authority, a sub-authority (path length 0) under it, and members certified by each. */
export function organisation(now = Date.now()) {
  const root = generateIdentity({ label: 'Mission X' });
  const office = generateIdentity({ label: 'Field Office' });
  const officeCert = issueCertificate({ issuer: root, subject: office.card, role: 'field office', notBefore: now - HOUR, notAfter: now + 365 * DAY, authority: { pathLength: 0 } });
  const member = (label: string, issuer: Identity = root, chainAbove: Certificate[] = [], validity = { notBefore: now - HOUR, notAfter: now + 30 * DAY }) => {
    const identity = generateIdentity({ label });
    const certificate = issueCertificate({ issuer, subject: identity.card, role: 'member', ...validity });
    return { identity, chain: [certificate, ...chainAbove] };
  };
  return { root, office, officeCert, member, anchors: [root.card] as Card[] };
}

/** Flips the bits of `mask` in `bytes[index]`, in place; an index outside the bytes is a broken test, not a tamper. */
export function flipBits(bytes: Uint8Array, index: number, mask: number): void {
  const byte = bytes[index];
  if (byte === undefined) throw new RangeError(`flipBits: index ${index} is outside ${bytes.length} bytes`);
  bytes[index] = byte ^ mask;
}
