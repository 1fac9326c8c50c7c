export { dirTransport } from './transport.js';
export {
  type DirTransportInit,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_MAX_DELIVERIES_IN_FLIGHT,
  DEFAULT_MAX_ENTRIES_PER_POLL,
  DEFAULT_MAX_RETRY_DELAY_MS,
} from './init.js';
export { parseDirUrl } from './url.js';
export { spoolFileName, parseSpoolFileName, type SpoolName, TEMP_PREFIX } from './names.js';
export { mapFsError, type MappedFsError } from './errors.js';
export { writeAtomically } from './write.js';
