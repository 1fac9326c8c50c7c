import { resolve } from 'node:path';
import { checkOptions, flagOption, OptionsError, OptionType, textOption, wholeInRange, wholeOption, type OptionsOf } from '@herald/core';
import { dirUrl, parseDirUrl } from './url.js';

export const DEFAULT_POLL_INTERVAL_MS = 500;
export const DEFAULT_MAX_ENVELOPE_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_DELIVERIES_IN_FLIGHT = 16;
export const DEFAULT_MAX_ENTRIES_PER_POLL = 4096;
export const DEFAULT_MAX_RETRY_DELAY_MS = 60_000;

/**
 * The transport's options, declared once: the schema yields `DirTransportInit`, and `resolveDirInit` checks every
 * field against it (whole numbers in their unit and range, unknown keys refused). Each description states the default.
 */
export const DirTransportInitSchema = OptionType.Object(
  {
    path: OptionType.ReadonlyOptional(OptionType.String({ minLength: 1, description: 'The spool folder. Relative paths resolve against the working directory at construction. Give `path` or `url`, not both.', errorMessage: 'expected a non-empty string' })),
    url: OptionType.ReadonlyOptional(OptionType.String({ description: 'The spool folder as a channel URL, `dir:/path/to/folder` (see `parseDirUrl`).', errorMessage: 'expected a dir: URL' })),
    pollIntervalMs: OptionType.ReadonlyOptional(wholeOption(DEFAULT_POLL_INTERVAL_MS, 10, 3_600_000, 'milliseconds', 'How often the folder is listed for new envelopes and its health checked. Default 500 ms; 10 ms to 1 h.')),
    maxEnvelopeBytes: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MAX_ENVELOPE_BYTES, 1, 1 << 30, 'bytes', 'Largest envelope written or read. Default 32 MiB; 1 byte to 1 GiB. Larger files found in the folder are skipped, not deleted.')),
    createIfMissing: OptionType.ReadonlyOptional(flagOption(true, "Create the folder (and missing parents, mode 0700) at start. Default true. Set it to false for removable media: with it on, a start while the stick is not mounted creates the folder on the host's own disk under the mount point.")),
    name: OptionType.ReadonlyOptional(textOption('a non-empty string', 'Channel name in receipts, inbound envelopes and errors. Default `dir:<absolute path>`.')),
    maxDeliveriesInFlight: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MAX_DELIVERIES_IN_FLIGHT, 1, 256, 'deliveries', 'Deliveries awaiting the node at once. Default 16; 1 to 256.')),
    maxEntriesPerPoll: OptionType.ReadonlyOptional(wholeOption(DEFAULT_MAX_ENTRIES_PER_POLL, 16, 1_000_000, 'entries', 'Directory entries examined per poll; a larger folder is listed over several polls. Default 4096; 16 to 1 000 000.')),
    maxRetryDelayMs: OptionType.ReadonlyOptional(wholeOption(undefined, 10, 86_400_000, 'milliseconds', 'Ceiling of the per-file backoff after the node refused a delivery. Default 60 000 ms; at least `pollIntervalMs`, at most a day.')),
  },
  { additionalProperties: false },
);

/** Everything a dir: transport can be told (DirTransportInitSchema describes each field and its default). */
export interface DirTransportInit extends OptionsOf<typeof DirTransportInitSchema> {}

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

function folderPath(init: DirTransportInit): string {
  if (init.path !== undefined && init.url !== undefined) throw new OptionsError('dirTransport: give either path or url, not both');
  if (init.url !== undefined) return parseDirUrl(init.url);
  if (init.path === undefined) throw new OptionsError('dirTransport: path (or url) is required');
  if (init.path.includes('\0')) throw new OptionsError('dirTransport: path: contains a NUL character');
  return resolve(init.path);
}

/** Validates an init object once, at construction, so a bad configuration fails before anything touches the disk. */
export function resolveDirInit(init: DirTransportInit): ResolvedDirInit {
  if (typeof init !== 'object' || init === null) throw new OptionsError('dirTransport: init is required ({ path } or { url })');
  checkOptions(DirTransportInitSchema, init, 'dirTransport');
  const path = folderPath(init);
  const pollIntervalMs = init.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const maxEnvelopeBytes = init.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  const maxDeliveriesInFlight = init.maxDeliveriesInFlight ?? DEFAULT_MAX_DELIVERIES_IN_FLIGHT;
  const maxEntriesPerPoll = init.maxEntriesPerPoll ?? DEFAULT_MAX_ENTRIES_PER_POLL;
  const maxRetryDelayMs = wholeInRange('dirTransport', 'maxRetryDelayMs', init.maxRetryDelayMs ?? Math.max(DEFAULT_MAX_RETRY_DELAY_MS, pollIntervalMs), pollIntervalMs, 86_400_000, 'milliseconds');
  const createIfMissing = init.createIfMissing ?? true;
  const name = init.name ?? dirUrl(path);
  return { path, name, pollIntervalMs, maxEnvelopeBytes, createIfMissing, maxDeliveriesInFlight, maxEntriesPerPoll, maxRetryDelayMs };
}
