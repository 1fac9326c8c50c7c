import { toHex } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import type { CertificateChain } from '@herald/trust';
import type { RelayCore } from '../core.js';
import type { AuthRefusal } from './mailbox-auth.js';

/** An AUTH the relay takes: the identity, the mailboxes it collects, and whether it may deposit. */
export interface IdentityAdmission {
  readonly signingPublicKey: Uint8Array;
  readonly tags: readonly string[];
  /** The per-identity account of this connection's deposits: its signing key (hex). */
  readonly account: string;
  readonly canDeposit: boolean;
  /** The verified certificate chain, when the relay admits by certificate. */
  readonly chain: CertificateChain | undefined;
}

/**
 * The relay's decision on an AUTH (docs/relay-protocol.md 4): the signature and tag proofs, then the certificate
 * (`certificate`: the chain a CERTIFICATE frame showed), then the allow-lists. Zeroes `relaySecret` once the proofs
 * are checked: it answers one challenge only.
 */
export function admitIdentity(core: RelayCore, auth: protocol.Auth, challengeFrame: Uint8Array, relaySecret: Uint8Array, certificate: Uint8Array | undefined): IdentityAdmission | AuthRefusal {
  const verdict = protocol.verifyAuth(auth, challengeFrame, relaySecret, (url) => core.urlAllowed(url));
  relaySecret.fill(0);
  if (!verdict.ok) return { refusal: verdict.reason, close: 'AUTH_FAILED', reason: verdict.failure };
  const admitted = core.admission?.check(verdict.signingPublicKey, certificate);
  if (admitted && 'refusal' in admitted) return { refusal: admitted.refusal, close: 'NOT_ALLOWED', reason: 'not-admitted' };
  const { depositors, collectors } = core;
  const account = toHex(verdict.signingPublicKey);
  const canDeposit = depositors === undefined || depositors.has(account);
  if (collectors && verdict.agreementKeys.some((key) => !collectors.has(toHex(key)))) return { refusal: 'a claimed mailbox is not on the allow-list', close: 'NOT_ALLOWED', reason: 'not-allowed' };
  if (!canDeposit && verdict.tags.length === 0) return { refusal: 'this identity may not deposit and claims no mailbox', close: 'NOT_ALLOWED', reason: 'not-allowed' };
  return { signingPublicKey: verdict.signingPublicKey, tags: verdict.tags, account, canDeposit, chain: admitted?.chain };
}
