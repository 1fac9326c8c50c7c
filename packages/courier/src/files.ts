import { writeAtomically } from '@herald/transport-dir';

/**
 * Writes one file atomically, as the dir: channel writes its spool files: a
 * temp file in the same folder, fsync, rename, fsync of the folder. Whoever
 * reads the folder (an operator, a sync tool) sees the whole file or none of
 * it, also after a power cut.
 */
export function writeFileAtomically(folder: string, name: string, data: Uint8Array | string, signal?: AbortSignal): Promise<void> {
  return writeAtomically(folder, [name], typeof data === 'string' ? new TextEncoder().encode(data) : data, signal);
}
