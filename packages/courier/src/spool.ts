import { readdir, readFile, unlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MAX_ENVELOPE_BYTES, envelopeExpiry } from '@herald/core';
import { parseSpoolFileName } from '@herald/transport-dir';

export interface SpoolEntry {
  readonly routingTag: string;
  readonly messageId: string;
  readonly bytes: Uint8Array;
}

/**
 * What waits in a courier spool for the given routing tags (all when none are
 * given). Expired envelopes are removed on the way: no courier should carry them.
 * A missing folder is an empty spool.
 */
export async function readSpool(path: string, options: { tags?: ReadonlySet<string>; now?: number; limit?: number; signal?: AbortSignal } = {}): Promise<SpoolEntry[]> {
  let names: string[];
  try {
    names = await readdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const now = options.now ?? Date.now();
  const limit = options.limit ?? 1_000_000;
  const out: SpoolEntry[] = [];
  for (const name of names.sort()) {
    options.signal?.throwIfAborted();
    const parsed = parseSpoolFileName(name);
    if (!parsed || (options.tags && !options.tags.has(parsed.routingTag))) continue;
    const file = join(path, name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile() || info.size > DEFAULT_MAX_ENVELOPE_BYTES) continue;
    const bytes = new Uint8Array(await readFile(file).catch(() => Buffer.alloc(0)));
    let expiry: number;
    try {
      expiry = envelopeExpiry(bytes);
    } catch {
      continue;
    }
    if (expiry < now) {
      await unlink(file).catch(() => undefined);
      continue;
    }
    out.push({ ...parsed, bytes });
    if (out.length >= limit) break;
  }
  return out;
}
