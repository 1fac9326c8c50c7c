import type { Databases } from './environment.js';

export type Queue = 'inbox' | 'seen';

/** How many records one queue holds now, as committed: LMDB's own entry count for the sub-database (no hand-kept counter). */
export function committedCount(databases: Databases, queue: Queue): number {
  const stats = (queue === 'inbox' ? databases.inbox : databases.seen).getStats() as { entryCount?: unknown };
  if (typeof stats.entryCount !== 'number') throw new Error('lmdb: getStats() gave no entryCount');
  return stats.entryCount;
}

export interface QueueBounds {
  /** The first of `queues` with no room for one more record, counting this process's writes under way; undefined when all have room. */
  full(queues: readonly Queue[]): Queue | undefined;
  /** A write that may add one record to each of `queues` is under way. */
  begin(queues: readonly Queue[]): void;
  /** That write has committed (`added`: it added the records) or failed. */
  end(queues: readonly Queue[], added: boolean): void;
  /** `count` records left `queue` (committed). */
  removed(queue: Queue, count: number): void;
}

/**
 * The inbox and seen-set bounds, checked without a read inside the write.
 *
 * Receiving is a conditional write that runs on lmdb-js's writer thread
 * (`ifNoExists`), so the main thread never holds the write transaction open
 * for a bound check. The counts are kept here instead: LMDB's entry counts
 * when the store opens, then this process's own changes, and writes under way
 * counted as if they had added. Within one process that is exact. Another
 * process writing the same store (a `herald send` beside a `herald listen`)
 * is seen when a queue looks full: the count is then read again from LMDB
 * before anything is refused, so a refusal is never based on a stale count.
 * The count may run over by the writes under way in other processes at that
 * moment; the bound is a guard against unbounded growth, not a quota.
 */
export function queueBounds(databases: Databases, limits: Readonly<Record<Queue, number>>): QueueBounds {
  const counted: Record<Queue, number> = { inbox: committedCount(databases, 'inbox'), seen: committedCount(databases, 'seen') };
  const underWay: Record<Queue, number> = { inbox: 0, seen: 0 };
  const hasRoom = (queue: Queue): boolean => counted[queue] + underWay[queue] < limits[queue];
  return {
    full(queues) {
      for (const queue of queues) {
        if (hasRoom(queue)) continue;
        // Looks full: read the real count (other processes may have removed records) before refusing.
        counted[queue] = committedCount(databases, queue);
        if (!hasRoom(queue)) return queue;
      }
      return undefined;
    },
    begin(queues) {
      for (const queue of queues) underWay[queue]++;
    },
    end(queues, added) {
      for (const queue of queues) {
        underWay[queue]--;
        if (added) counted[queue]++;
      }
    },
    removed(queue, count) {
      counted[queue] = Math.max(0, counted[queue] - count);
    },
  };
}
