import type { Database } from 'lmdb';

export type Queue = 'inbox' | 'seen';

const KEYS: Readonly<Record<Queue, string>> = { inbox: 'count:inbox', seen: 'count:seen' };

/**
 * Inbox and seen-set counts kept in the `meta` sub-database and changed in the same write
 * transaction as the records they count, so a bound check is exact, survives a
 * crash or an aborted transaction, and costs one small read. (lmdb-js's
 * `getStats()` would also count exactly, but it gathers environment and
 * free-list statistics on every call: several times the cost of the put it
 * guards.)
 */
export function readCount(meta: Database<number, string>, queue: Queue): number {
  return meta.get(KEYS[queue]) ?? 0;
}

/** Inside a write transaction only. */
export function addToCount(meta: Database<number, string>, queue: Queue, delta: number): void {
  if (delta !== 0) meta.put(KEYS[queue], readCount(meta, queue) + delta);
}

/** Inside a write transaction only: sets every count, for a new store. */
export function resetCounts(meta: Database<number, string>): void {
  for (const key of Object.values(KEYS)) meta.put(key, 0);
}
