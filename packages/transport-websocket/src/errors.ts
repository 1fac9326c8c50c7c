import { TransportError, type TransportErrorCode } from '@herald/core';
import { closeName, errorName, type RelayErrorName } from '@herald/protocol/relay';

/** Relay error frames onto the channel contract's codes: what the router needs to decide retry or failover. */
const BY_RELAY_CODE: Readonly<Record<RelayErrorName, TransportErrorCode>> = {
  NOT_AUTHENTICATED: 'CHANNEL_UNAVAILABLE',
  TOO_LARGE: 'CHANNEL_TOO_SMALL',
  BAD_ENVELOPE: 'CHANNEL_REJECTED',
  EXPIRED: 'CHANNEL_REJECTED',
  MAILBOX_FULL: 'QUOTA_EXCEEDED',
  RATE_LIMITED: 'QUOTA_EXCEEDED',
  NOT_ALLOWED: 'CHANNEL_REJECTED',
  UNAVAILABLE: 'CHANNEL_UNAVAILABLE',
  RELAY_FULL: 'QUOTA_EXCEEDED',
  STORAGE_FULL: 'QUOTA_EXCEEDED',
  DEPOSITOR_QUOTA: 'QUOTA_EXCEEDED',
  RELAY_NEARLY_FULL: 'QUOTA_EXCEEDED',
  REVOCATIONS_REFUSED: 'CHANNEL_REJECTED',
  PREKEYS_REFUSED: 'CHANNEL_REJECTED',
  NO_DIRECTORY: 'CHANNEL_REJECTED',
};

export function fromRelayError(channel: string, code: number, text: string): TransportError {
  const name = errorName(code);
  const mapped = name ? BY_RELAY_CODE[name] : 'CHANNEL_UNAVAILABLE';
  return new TransportError(mapped, channel, `relay refused the envelope: ${name ?? `code ${code}`}${text ? ` (${text})` : ''}`);
}

/** Why a connection ended, for health reasons and errors. */
export function describeClose(code: number, reason: string): string {
  const name = closeName(code);
  return `closed by relay: ${code}${name ? ` ${name}` : ''}${reason ? ` (${reason})` : ''}`;
}

/** A close that retrying will not fix until someone changes a configuration. */
export function isPermanentClose(code: number): boolean {
  const name = closeName(code);
  return name === 'AUTH_FAILED' || name === 'NOT_ALLOWED';
}

/** Node socket errors onto a short reason that carries no secrets. */
export function describeSocketError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code ? `relay unreachable: ${code}` : `relay unreachable: ${message.split('\n')[0] ?? message}`;
}

export function aborted(channel: string, what: string): TransportError {
  return new TransportError('ABORTED', channel, `${what} was aborted`);
}
