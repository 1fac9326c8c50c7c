import { toHex } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import type { RelayCore } from '../core.js';
import type { AuthFailureReason } from '../metrics.js';

/** A MAILBOX_AUTH the relay takes: the epoch mailboxes it collects, and what its deposits are charged to. */
export interface MailboxAdmission {
  readonly tags: readonly string[];
  /** The per-identity account of this connection's deposits: its first blinded key (hex). */
  readonly account: string;
}

/** A refused AUTH or MAILBOX_AUTH: the close it gets, and the reason its metric counts. */
export interface AuthRefusal {
  readonly refusal: string;
  readonly close: 'AUTH_FAILED' | 'NOT_ALLOWED';
  readonly reason: AuthFailureReason;
}

/**
 * The relay's decision on a MAILBOX_AUTH (docs/relay-protocol.md 4.4). A relay that admits identities (by
 * certificate or allow-list) cannot admit a connection that shows none; otherwise every signature must verify.
 */
export function admitMailboxes(core: RelayCore, auth: protocol.MailboxAuth, challengeFrame: Uint8Array): MailboxAdmission | AuthRefusal {
  if (core.admission || core.collectors || core.depositors) return { refusal: 'identity required', close: 'NOT_ALLOWED', reason: 'identity-required' };
  const verdict = protocol.verifyMailboxAuth(auth, challengeFrame, (url) => core.urlAllowed(url));
  if (!verdict.ok) return { refusal: verdict.reason, close: 'AUTH_FAILED', reason: verdict.failure === 'mailbox-keys' ? 'mailbox-proof' : verdict.failure };
  return { tags: verdict.tags, account: toHex(verdict.keys[0]!) };
}
