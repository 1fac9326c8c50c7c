import { TransportError } from '@herald/core';

/**
 * SMTP failures → Herald codes. The reply class decides retryability, as the
 * SMTP standard intends: 4xx means "try again later" (retryable), 5xx means
 * "this will not work" (not retryable). The code then names what went wrong.
 * Connection-level failures carry no reply: they are the medium being down.
 */

export interface MappedSmtpError {
  readonly error: TransportError;
  /** True when the failure says the server is unreachable or refuses us as a client (health goes down). */
  readonly serverDown: boolean;
}

interface SmtpLike {
  readonly code?: unknown;
  readonly responseCode?: unknown;
  readonly response?: unknown;
  readonly command?: unknown;
  readonly message?: unknown;
}

/** The server's reply, trimmed to one line: replies hold codes and addresses, never our credentials. */
function reply(error: SmtpLike): string {
  const text = typeof error.response === 'string' ? error.response : typeof error.message === 'string' ? error.message : String(error);
  return text.split(/\r?\n/)[0]!.slice(0, 300);
}

/** The enhanced status code (RFC 3463), e.g. "5.3.4", when the reply carries one. */
function enhanced(text: string): string | undefined {
  return /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1];
}

const UNREACHABLE = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'ETLS', 'EPROXY', 'EPROTOCOL']);
const TIMEOUT = new Set(['ETIMEDOUT', 'ETIMEOUT', 'ECONNABORTED']);

export function mapSmtpError(raw: unknown, channel: string, action: string): MappedSmtpError {
  if (raw instanceof TransportError) return { error: raw, serverDown: false };
  const error = (typeof raw === 'object' && raw !== null ? raw : { message: String(raw) }) as SmtpLike;
  const code = typeof error.code === 'string' ? error.code : undefined;
  const status = typeof error.responseCode === 'number' ? error.responseCode : undefined;
  const text = reply(error);
  const cause = { cause: raw };
  if (status !== undefined && status >= 400 && status < 600) {
    const permanent = status >= 500;
    const detail = enhanced(text) ?? '';
    const message = `${action}: the SMTP server answered ${text}`;
    // Authentication refused (535, 5.7.8) or required (530): a configuration fault, not fixed by waiting.
    if (permanent && (status === 535 || status === 534 || status === 530 || code === 'EAUTH')) return { error: new TransportError('CHANNEL_REJECTED', channel, message, { ...cause, retryable: false }), serverDown: true };
    if (status === 552 || detail === '5.3.4' || detail === '5.2.3') {
      if (detail === '5.2.2') return { error: new TransportError('QUOTA_EXCEEDED', channel, message, { ...cause, retryable: false }), serverDown: false };
      return { error: new TransportError('CHANNEL_TOO_SMALL', channel, message, { ...cause, retryable: false }), serverDown: false };
    }
    if (status === 452 || detail === '4.2.2' || detail === '4.3.1' || detail === '5.2.2') return { error: new TransportError('QUOTA_EXCEEDED', channel, message, { ...cause, retryable: !permanent }), serverDown: false };
    // 421: the service is closing the channel; any other 4xx: a temporary refusal of this transaction.
    if (!permanent) return { error: new TransportError('CHANNEL_UNAVAILABLE', channel, message, cause), serverDown: status === 421 };
    return { error: new TransportError('CHANNEL_REJECTED', channel, message, { ...cause, retryable: false }), serverDown: false };
  }
  if (code === 'EAUTH' && status === undefined) return { error: new TransportError('CHANNEL_REJECTED', channel, `${action}: authentication failed: ${text}`, { ...cause, retryable: false }), serverDown: true };
  if (code !== undefined && TIMEOUT.has(code)) return { error: new TransportError('CHANNEL_TIMEOUT', channel, `${action}: timed out (${code})`, cause), serverDown: true };
  if (code === 'EENVELOPE' || code === 'EMESSAGE') return { error: new TransportError('CHANNEL_REJECTED', channel, `${action}: ${text}`, { ...cause, retryable: false }), serverDown: false };
  if (code !== undefined && UNREACHABLE.has(code)) return { error: new TransportError('CHANNEL_UNAVAILABLE', channel, `${action}: cannot reach the SMTP server: ${text}`, cause), serverDown: true };
  return { error: new TransportError('CHANNEL_UNAVAILABLE', channel, `${action}: ${text}${code ? ` (${code})` : ''}`, cause), serverDown: true };
}
