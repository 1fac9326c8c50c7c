import type { Databases } from './environment.js';

/**
 * The seen-set lives in two sub-databases written together: `seen` answers
 * "was this id seen?" by key, `seenByExpiry` lists the same ids by expiry so
 * `pruneSeen` reads only expired entries instead of the whole set. Both helpers
 * must run inside one write (a transaction, or a conditional block) so the pair
 * never disagrees.
 */
export function rememberSeen(databases: Databases, id: string, expiresAt: number): void {
  databases.seen.put(id, expiresAt);
  databases.seenByExpiry.put([expiresAt, id], null);
}

/** Entries examined per write transaction, so one large prune never holds the write lock (and the event loop) for long. */
export const PRUNE_BATCH = 10_000;

export interface PruneStep {
  readonly removed: number;
  /** Where the next step starts (exclusive), or undefined when nothing expired remains past it. */
  readonly next: [number, string] | undefined;
}

/**
 * Forgets up to PRUNE_BATCH ids that expired before `now`, skipping those still
 * in the inbox (their seen entry is what keeps a redelivery from being
 * accepted twice). Runs inside a write transaction.
 */
export function pruneStep(databases: Databases, now: number, after: [number, string] | undefined): PruneStep {
  // Keys sort as [expiresAt, id]; the shorter key [now] sorts before every [now, id], so the range ends just before `now`.
  const range = after === undefined ? { end: [now] as [number], limit: PRUNE_BATCH } : { start: after, exclusiveStart: true, end: [now] as [number], limit: PRUNE_BATCH };
  // Collected first and removed afterwards: removing under a live cursor is not something to rely on.
  const expired: [number, string][] = [];
  for (const key of databases.seenByExpiry.getKeys(range)) expired.push(key);
  let removed = 0;
  for (const key of expired) {
    const id = key[1];
    if (databases.inbox.doesExist(id)) continue;
    databases.seenByExpiry.remove(key);
    databases.seen.remove(id);
    removed++;
  }
  return { removed, next: expired.length < PRUNE_BATCH ? undefined : expired[expired.length - 1] };
}
