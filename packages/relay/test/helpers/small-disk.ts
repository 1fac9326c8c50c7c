import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './relay-process.js';

/**
 * A relay data dir whose store directory (`<dataDir>/store`, as spawnRelay uses it) is a small tmpfs, for full-disk
 * tests. `mountPoint` is undefined where this process may not mount (not root, or no mount in the container): the
 * test then says so and skips. `unmount` before removing the temporary folders.
 */
export async function smallDiskDataDir(prefix: string, size = '4m'): Promise<{ dataDir: string; mountPoint: string | undefined; unmount(): void }> {
  const dataDir = await tempDir(prefix);
  const candidate = join(dataDir, 'store');
  await mkdir(candidate);
  let mountPoint: string | undefined;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', candidate], { stdio: 'ignore' });
    mountPoint = candidate;
  } catch {
    mountPoint = undefined;
  }
  return { dataDir, mountPoint, unmount: () => void (mountPoint && execFileSync('umount', [mountPoint], { stdio: 'ignore' })) };
}
