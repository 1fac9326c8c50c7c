import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from './errors.js';
import { tempFileName } from './names.js';

/**
 * Writes `bytes` under each of `names` in `folder`, atomically per name: a
 * reader (or a sync service) sees either no file or the whole file, never a
 * torn one. For each name: write a `.tmp-` file in the same folder (rename is
 * only atomic within one file system), fsync it, rename it into place; then
 * fsync the folder once so the renames survive a power cut or a yanked stick.
 *
 * A crash leaves at worst a stray `.tmp-` file, which readers ignore. An abort
 * between names may leave some names written: names are derived from the
 * message id, so a retry rewrites the same files and readers de-duplicate.
 */
export async function writeAtomically(folder: string, names: readonly string[], bytes: Uint8Array, signal: AbortSignal | undefined): Promise<void> {
  for (const name of names) {
    signal?.throwIfAborted();
    const temp = join(folder, tempFileName());
    try {
      // 'wx': never follow or reuse an existing file; 0600: only the owner (the sync tool, the reader) reads it.
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      signal?.throwIfAborted();
      await rename(temp, join(folder, name));
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }
  await syncFolder(folder);
}

/** Errors of fsync on a folder that mean "this file system does not do that" (some FUSE, network and Windows mounts). */
const UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EISDIR', 'EPERM', 'EBADF']);

/** Persists the folder's entries (the renames). Best effort where the file system cannot sync a folder. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if (!UNSUPPORTED.has(errnoCode(error) ?? '')) throw error;
  } finally {
    await handle.close();
  }
}
