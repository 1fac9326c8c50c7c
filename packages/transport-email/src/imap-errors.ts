import { TransportError } from '@herald/core';
import { describeImapError } from './imap-client.js';

/**
 * IMAP failures → Herald codes, in the spirit of the SMTP mapping (4xx
 * retryable, 5xx not). IMAP has no reply numbers; what says "temporary" or
 * "for good" is the response code in brackets (RFC 5530), and failing that
 * the status: NO is an operational failure that may pass, BAD a command the
 * server will never take. Receiving rejects nothing the node asked for, so
 * these errors travel in `error` events and decide nothing but what they say.
 */

/** RFC 5530 codes that waiting does not fix: the account, its rights or the folder are wrong. */
const PERMANENT = new Set(['AUTHENTICATIONFAILED', 'AUTHORIZATIONFAILED', 'EXPIRED', 'PRIVACYREQUIRED', 'CONTACTADMIN', 'NOPERM', 'CANNOT', 'NONEXISTENT', 'TRYCREATE', 'ALREADYEXISTS', 'CLIENTBUG']);
/** Full mailbox or account: space may free up, as with SMTP's 452. */
const QUOTA = new Set(['OVERQUOTA', 'LIMIT']);
const TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ETIMEOUT', 'ETIMEDOUT', 'LockTimeout']);

interface ImapLike {
  readonly code?: unknown;
  readonly serverResponseCode?: unknown;
  readonly responseStatus?: unknown;
  readonly authenticationFailed?: unknown;
  readonly response?: { readonly attributes?: readonly { readonly section?: readonly { readonly value?: unknown }[] }[] };
}

/** The bracketed response code of a tagged NO/BAD, e.g. "OVERQUOTA", when the server gave one. */
function responseCode(error: ImapLike): string | undefined {
  if (typeof error.serverResponseCode === 'string') return error.serverResponseCode.toUpperCase();
  const value = error.response?.attributes?.[0]?.section?.[0]?.value;
  return typeof value === 'string' ? value.toUpperCase().trim() : undefined;
}

export function mapImapError(raw: unknown, channel: string, action: string): TransportError {
  if (raw instanceof TransportError) return raw;
  const error = (typeof raw === 'object' && raw !== null ? raw : {}) as ImapLike;
  const message = `${action}: ${describeImapError(raw)}`;
  const cause = { cause: raw };
  if (error.authenticationFailed === true || (raw instanceof Error && raw.name === 'AuthenticationFailure')) return new TransportError('CHANNEL_REJECTED', channel, message, { ...cause, retryable: false });
  const code = responseCode(error);
  if (code !== undefined && PERMANENT.has(code)) return new TransportError('CHANNEL_REJECTED', channel, message, { ...cause, retryable: false });
  if (code !== undefined && QUOTA.has(code)) return new TransportError('QUOTA_EXCEEDED', channel, message, cause);
  if (typeof error.code === 'string' && TIMEOUTS.has(error.code)) return new TransportError('CHANNEL_TIMEOUT', channel, message, cause);
  // A BAD without a temporary response code: the server does not take this command, and never will.
  if (error.responseStatus === 'BAD' && code === undefined) return new TransportError('CHANNEL_REJECTED', channel, message, { ...cause, retryable: false });
  // NO (including UNAVAILABLE, INUSE, SERVERBUG, EXPUNGEISSUED), BYE, lost connections, refused connections, TLS failures.
  return new TransportError('CHANNEL_UNAVAILABLE', channel, message, cause);
}
