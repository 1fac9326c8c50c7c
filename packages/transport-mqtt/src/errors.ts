import { TransportError, type TransportErrorCode } from '@herald/core';

/**
 * MQTT reason codes (5.0, and 3.1.1 CONNACK return codes 1–5) and socket
 * errors onto the channel contract's codes, with `retryable`: whether trying
 * the same channel again later may work without anyone changing anything.
 */

/** Reason code → [Herald code, retryable, text]. Codes not listed are CHANNEL_UNAVAILABLE, retryable. */
const REASONS: Readonly<Record<number, readonly [TransportErrorCode, boolean, string]>> = {
  // 3.1.1 CONNACK return codes
  1: ['CHANNEL_REJECTED', false, 'unacceptable protocol version'],
  2: ['CHANNEL_REJECTED', false, 'client identifier rejected'],
  3: ['CHANNEL_UNAVAILABLE', true, 'server unavailable'],
  4: ['CHANNEL_REJECTED', false, 'bad user name or password'],
  5: ['CHANNEL_REJECTED', false, 'not authorized'],
  // MQTT 5 reason codes
  128: ['CHANNEL_UNAVAILABLE', true, 'unspecified error'],
  129: ['CHANNEL_UNAVAILABLE', true, 'malformed packet'],
  130: ['CHANNEL_UNAVAILABLE', true, 'protocol error'],
  131: ['CHANNEL_REJECTED', false, 'implementation specific error (refused by broker policy)'],
  132: ['CHANNEL_REJECTED', false, 'unsupported protocol version'],
  133: ['CHANNEL_REJECTED', false, 'client identifier not valid'],
  134: ['CHANNEL_REJECTED', false, 'bad user name or password'],
  135: ['CHANNEL_REJECTED', false, 'not authorized'],
  136: ['CHANNEL_UNAVAILABLE', true, 'server unavailable'],
  137: ['QUOTA_EXCEEDED', true, 'server busy'],
  138: ['CHANNEL_REJECTED', false, 'banned'],
  139: ['CHANNEL_UNAVAILABLE', true, 'server shutting down'],
  140: ['CHANNEL_REJECTED', false, 'bad authentication method'],
  141: ['CHANNEL_UNAVAILABLE', true, 'keep-alive timeout'],
  142: ['CHANNEL_UNAVAILABLE', true, 'session taken over (another client uses this client id)'],
  143: ['CHANNEL_REJECTED', false, 'topic filter invalid'],
  144: ['CHANNEL_REJECTED', false, 'topic name invalid'],
  147: ['CHANNEL_UNAVAILABLE', true, 'receive maximum exceeded'],
  149: ['CHANNEL_TOO_SMALL', false, 'packet too large for the broker'],
  150: ['QUOTA_EXCEEDED', true, 'message rate too high'],
  151: ['QUOTA_EXCEEDED', true, 'quota exceeded'],
  152: ['CHANNEL_UNAVAILABLE', true, 'administrative action'],
  153: ['CHANNEL_REJECTED', false, 'payload format invalid'],
  154: ['CHANNEL_REJECTED', false, 'retain not supported'],
  155: ['CHANNEL_REJECTED', false, 'QoS 1 not supported by the broker'],
  156: ['CHANNEL_UNAVAILABLE', true, 'use another server'],
  157: ['CHANNEL_UNAVAILABLE', true, 'server moved'],
  159: ['QUOTA_EXCEEDED', true, 'connection rate exceeded'],
  160: ['CHANNEL_UNAVAILABLE', true, 'maximum connect time'],
};

export function describeReason(code: number): string {
  return `${REASONS[code]?.[2] ?? 'error'} (reason code ${code})`;
}

export function fromReasonCode(channel: string, code: number, action: string): TransportError {
  const [mapped, retryable] = REASONS[code] ?? (['CHANNEL_UNAVAILABLE', true] as const);
  return new TransportError(mapped, channel, `${action}: ${describeReason(code)}`, { retryable });
}

/** A refusal in CONNACK that says "this broker does not speak that protocol version": 3.1.1's return code 1, MQTT 5's 132. */
export function isVersionRefusal(code: number | undefined): boolean {
  return code === 1 || code === 132;
}

/** A refusal in CONNACK of the client's login: 3.1.1's 4 (bad user name or password) and 5 (not authorized), MQTT 5's 134 and 135. */
export function isLoginRefusal(code: number | undefined): boolean {
  return code === 4 || code === 5 || code === 134 || code === 135;
}

/** The numeric reason code MQTT.js put on an error (ErrorWithReasonCode), if any. */
export function reasonCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

const TLS_CODES = /^(?:CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/;

/** Why a connection failed or ended, as an operator reads it: the errno, TLS code or reason code; never credentials or payloads. */
export function describeConnectionError(error: unknown): string {
  const reason = reasonCodeOf(error);
  if (reason !== undefined) return `broker refused: ${describeReason(reason)}`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && TLS_CODES.test(code)) return `TLS: ${code}`;
  if (typeof code === 'string') return `broker unreachable: ${code}`;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** A connection failure that waiting will not fix: bad credentials, a refused client id, a certificate that does not verify. */
export function isPermanentConnectionError(error: unknown): boolean {
  const reason = reasonCodeOf(error);
  if (reason !== undefined) return REASONS[reason]?.[1] === false;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && TLS_CODES.test(code);
}

export function aborted(channel: string, what: string): TransportError {
  return new TransportError('ABORTED', channel, `${what} was aborted`);
}
