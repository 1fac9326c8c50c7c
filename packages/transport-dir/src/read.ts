import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { errnoCode } from './errors.js';

export type ReadOutcome =
  | { readonly kind: 'read'; readonly bytes: Uint8Array }
  /** Taken by another reader, or removed, since the listing. */
  | { readonly kind: 'gone' }
  /** Not a regular file (a symlink, FIFO, device…): never followed nor opened for reading. */
  | { readonly kind: 'not-a-file' }
  | { readonly kind: 'too-large'; readonly size: number }
  /** Its size changed while being read: someone is still writing it in place. */
  | { readonly kind: 'changing' };

// O_NOFOLLOW: a planted symlink cannot make us read files outside the folder.
// O_NONBLOCK: a planted FIFO cannot hang the open; fstat then tells it apart.
const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Reads one spool file, never more than `maxBytes` (plus one byte to notice growth). */
export async function readSpoolFile(path: string, maxBytes: number): Promise<ReadOutcome> {
  let handle;
  try {
    handle = await open(path, FLAGS);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return { kind: 'gone' };
    if (code === 'ELOOP') return { kind: 'not-a-file' };
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { kind: 'not-a-file' };
    if (stats.size > maxBytes) return { kind: 'too-large', size: stats.size };
    const bytes = new Uint8Array(stats.size);
    let length = 0;
    while (length < bytes.length) {
      const { bytesRead } = await handle.read(bytes, length, bytes.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    // A file that shrank or still grows has a foreign, non-atomic writer at work: leave it for a later poll.
    const { bytesRead: beyond } = await handle.read(new Uint8Array(1), 0, 1, stats.size);
    if (length !== stats.size || beyond !== 0) return { kind: 'changing' };
    return { kind: 'read', bytes };
  } finally {
    await handle.close();
  }
}
