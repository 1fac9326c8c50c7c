import { generateIdentity, type Identity } from '@herald/core';
import { chainToText, issueCertificate } from '@herald/trust';
import type { Scenario } from '../scenario/types.js';

const DAY_MS = 86_400_000;

/**
 * The drill's organisation authority, made only when a fault revokes a key: every node is then certified by it and
 * trusts it (require: true), as the members of an organisation are.
 */
export function drillAuthority(scenario: Scenario): Identity | undefined {
  return scenario.faults.some((fault) => fault.action.kind === 'revoke') ? generateIdentity({ label: `${scenario.name} authority` }) : undefined;
}

/** A one-certificate chain for `member`, valid from a day ago for a day: longer than any drill. */
export function memberChain(authority: Identity, member: Identity): string {
  const now = Date.now();
  return chainToText([issueCertificate({ issuer: authority, subject: member.card, role: 'drill member', notBefore: now - DAY_MS, notAfter: now + DAY_MS })]);
}
