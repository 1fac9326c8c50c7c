import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What a captor carries away: the node's key file and its prekey secrets' LMDB files, copied as they are at this
 * moment (the node keeps running). The message store is left out: what it holds in plaintext is outside the bound
 * the drill measures (threat model 17.5).
 */
export async function seizeNode(home: string, into: string): Promise<void> {
  await mkdir(into, { recursive: true, mode: 0o700 });
  await cp(join(home, 'node.key'), join(into, 'node.key'));
  await cp(join(home, 'prekeys'), join(into, 'prekeys'), { recursive: true });
}
