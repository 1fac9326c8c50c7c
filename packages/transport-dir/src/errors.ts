import { TransportError } from '@herald/core';
import type { HealthState } from '@herald/core';

/**
 * Maps native filesystem failures onto Herald's transport codes, and says what
 * each means for the channel's health. A folder that is gone, read-only or
 * refused is 'down' (nothing moves either way); a full disk only stops sending,
 * since readers can still pick up and remove files, which frees space.
 */

export interface MappedFsError {
  readonly error: TransportError;
  /** The health the failure implies; undefined when it says nothing about the folder (e.g. an abort). */
  readonly health?: Exclude<HealthState, 'up'>;
}

const UNAVAILABLE: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the folder is on a read-only file system',
  ENOENT: 'the folder is missing',
  ENOTDIR: 'the folder path is not a folder',
  EIO: 'input/output error (failing or removed medium)',
  ENXIO: 'the device is gone',
  ENODEV: 'the device is gone',
  ESTALE: 'stale network file handle',
  ENOTCONN: 'the network file system is not connected',
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files on this system',
};

export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Why a filesystem call failed, for health reasons and messages: no secrets, just the action and errno. */
export function describeFsError(error: unknown, action: string): string {
  const code = errnoCode(error) ?? 'UNKNOWN';
  if (code === 'ENOSPC') return `${action}: no space left on the medium (${code})`;
  if (code === 'EDQUOT') return `${action}: disk quota exceeded (${code})`;
  if (code === 'ENAMETOOLONG') return `${action}: file name too long (${code})`;
  return `${action}: ${UNAVAILABLE[code] ?? (error instanceof Error ? error.message : String(error))} (${code})`;
}

export function mapFsError(error: unknown, channel: string, action: string): MappedFsError {
  if (error instanceof TransportError) return { error };
  if (error instanceof Error && error.name === 'AbortError') return { error: new TransportError('ABORTED', channel, `${action}: aborted`, { cause: error }) };
  const code = errnoCode(error) ?? 'UNKNOWN';
  const message = describeFsError(error, action);
  if (code === 'ENOSPC' || code === 'EDQUOT') return { error: new TransportError('QUOTA_EXCEEDED', channel, message, { cause: error }), health: 'degraded' };
  // The configured path plus a spool name is too long: a configuration problem that waiting will not fix.
  if (code === 'ENAMETOOLONG') return { error: new TransportError('CHANNEL_REJECTED', channel, message, { cause: error, retryable: false }), health: 'down' };
  return { error: new TransportError('CHANNEL_UNAVAILABLE', channel, message, { cause: error }), health: 'down' };
}
