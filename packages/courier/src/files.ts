import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes one file atomically: a temp file in the same folder, fsync, rename,
 * fsync of the folder. Whoever reads the folder (an operator, a sync tool)
 * sees the whole file or none of it, also after a power cut.
 */
export async function writeFileAtomically(folder: string, name: string, data: Uint8Array | string, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const temp = join(folder, `.tmp-${randomBytes(12).toString('hex')}`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
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
  const directory = await open(folder, 'r');
  try {
    // Some file systems cannot sync a folder; the rename itself is still atomic there.
    await directory.sync().catch(() => undefined);
  } finally {
    await directory.close();
  }
}
