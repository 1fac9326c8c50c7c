import { resolve } from 'node:path';
import { OptionsError } from '@herald/core';
import { dirUrl, parseDirUrl } from './url.js';

export const DEFAULT_POLL_INTERVAL_MS = 500;
export const DEFAULT_MAX_ENVELOPE_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_DELIVERIES_IN_FLIGHT = 16;
export const DEFAULT_MAX_ENTRIES_PER_POLL = 4096;
export const DEFAULT_MAX_RETRY_DELAY_MS = 60_000;

export interface DirTransportInit {
  /** The spool folder. Relative paths resolve against the working directory at construction. Give `path` or `url`, not both. */
  readonly path?: string;
  /** The spool folder as a channel URL, `dir:/path/to/folder` (see `parseDirUrl`). */
  readonly url?: string;
  /** How often the folder is listed for new envelopes and its health checked. Default 500 ms; 10 ms to 1 h. */
  readonly pollIntervalMs?: number;
  /** Largest envelope written or read. Default 32 MiB; 1 byte to 1 GiB. Larger files found in the folder are skipped, not deleted. */
  readonly maxEnvelopeBytes?: number;
  /**
   * Create the folder (and missing parents, mode 0700) at start. Default true.
   * Set it to false for removable media: with it on, a start while the stick is
   * not mounted creates the folder on the host's own disk under the mount point.
   */
  readonly createIfMissing?: boolean;
  /** Channel name in receipts, inbound envelopes and errors. Default `dir:<absolute path>`. */
  readonly name?: string;
  /** Deliveries awaiting the node at once. Default 16; 1 to 256. */
  readonly maxDeliveriesInFlight?: number;
  /** Directory entries examined per poll; a larger folder is listed over several polls. Default 4096; 16 to 1 000 000. */
  readonly maxEntriesPerPoll?: number;
  /** Ceiling of the per-file backoff after the node refused a delivery. Default 60 000 ms; at least `pollIntervalMs`. */
  readonly maxRetryDelayMs?: number;
}

export interface ResolvedDirInit {
  readonly path: string;
  readonly name: string;
  readonly pollIntervalMs: number;
  readonly maxEnvelopeBytes: number;
  readonly createIfMissing: boolean;
  readonly maxDeliveriesInFlight: number;
  readonly maxEntriesPerPoll: number;
  readonly maxRetryDelayMs: number;
}

const KNOWN = new Set(['path', 'url', 'pollIntervalMs', 'maxEnvelopeBytes', 'createIfMissing', 'name', 'maxDeliveriesInFlight', 'maxEntriesPerPoll', 'maxRetryDelayMs']);

function integer(init: DirTransportInit, field: keyof DirTransportInit, fallback: number, min: number, max: number, unit: string): number {
  const value = init[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OptionsError(`dirTransport: ${field}: expected whole ${unit} from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function folderPath(init: DirTransportInit): string {
  if (init.path !== undefined && init.url !== undefined) throw new OptionsError('dirTransport: give either path or url, not both');
  if (init.url !== undefined) return parseDirUrl(init.url);
  if (init.path === undefined) throw new OptionsError('dirTransport: path (or url) is required');
  if (typeof init.path !== 'string' || init.path.length === 0) throw new OptionsError(`dirTransport: path: expected a non-empty string, got ${JSON.stringify(init.path)}`);
  if (init.path.includes('\0')) throw new OptionsError('dirTransport: path: contains a NUL character');
  return resolve(init.path);
}

/** Validates an init object once, at construction, so a bad configuration fails before anything touches the disk. */
export function resolveDirInit(init: DirTransportInit): ResolvedDirInit {
  if (typeof init !== 'object' || init === null) throw new OptionsError('dirTransport: init is required ({ path } or { url })');
  for (const key of Object.keys(init)) if (!KNOWN.has(key)) throw new OptionsError(`dirTransport: unknown option "${key}"`);
  const path = folderPath(init);
  const pollIntervalMs = integer(init, 'pollIntervalMs', DEFAULT_POLL_INTERVAL_MS, 10, 3_600_000, 'milliseconds');
  const maxEnvelopeBytes = integer(init, 'maxEnvelopeBytes', DEFAULT_MAX_ENVELOPE_BYTES, 1, 1 << 30, 'bytes');
  const maxDeliveriesInFlight = integer(init, 'maxDeliveriesInFlight', DEFAULT_MAX_DELIVERIES_IN_FLIGHT, 1, 256, 'deliveries');
  const maxEntriesPerPoll = integer(init, 'maxEntriesPerPoll', DEFAULT_MAX_ENTRIES_PER_POLL, 16, 1_000_000, 'entries');
  const maxRetryDelayMs = integer(init, 'maxRetryDelayMs', Math.max(DEFAULT_MAX_RETRY_DELAY_MS, pollIntervalMs), pollIntervalMs, 86_400_000, 'milliseconds');
  const createIfMissing = init.createIfMissing ?? true;
  if (typeof createIfMissing !== 'boolean') throw new OptionsError(`dirTransport: createIfMissing: expected a boolean, got ${String(createIfMissing)}`);
  const name = init.name ?? dirUrl(path);
  if (typeof name !== 'string' || name.trim().length === 0) throw new OptionsError(`dirTransport: name: expected a non-empty string, got ${JSON.stringify(name)}`);
  return { path, name, pollIntervalMs, maxEnvelopeBytes, createIfMissing, maxDeliveriesInFlight, maxEntriesPerPoll, maxRetryDelayMs };
}
