import { statfs } from 'node:fs/promises';

/**
 * Keeps an LMDB environment from ever meeting a full disk on new data. lmdb-js
 * 3.5.6 must not reach ENOSPC: its write-error path formats a message longer
 * than the 100 bytes it mallocs (mdb.c, "Attempting to write page at position
 * …"), and the heap overflow aborted the process in 4 runs out of 5 on a full
 * tmpfs (glibc "malloc assertion failure in sysmalloc"). So new data is
 * refused while the file system has less than `minFreeBytes` free; that room is
 * left to what needs no new data (updates and removals: LMDB never overwrites
 * a page in place, so they need new pages too, until earlier ones are freed).
 *
 * Fast path without a system call: the free space last read, less the bytes
 * admitted since. It is read again when older than a second, or when the
 * estimate says no (so room freed meanwhile is seen at the next call).
 *
 * LMDB's file never shrinks: what removals free inside it is reused by later
 * writes but never shows as free disk space. A caller that knows what it
 * removed says so (`freed`), and new data is taken from that first. LMDB reuses
 * freed pages only once no reader still sees them, and an overflow record needs
 * a contiguous run, so this credit is an estimate: minFreeBytes absorbs its error.
 */
export interface FreeSpaceGuard {
  /** Whether `bytes` of new data may be written now, from the estimate; a refusal also starts a fresh reading. */
  admits(bytes: number): boolean;
  /** Reads the free space now, then says whether `bytes` may be written. */
  check(bytes: number): Promise<boolean>;
  /** `bytes` of data were durably removed: room inside the file that new data reuses before growing it. */
  freed(bytes: number): void;
  /** True since the last refusal, until data is admitted again. */
  readonly full: boolean;
  /** Free bytes at the last reading (undefined before the first one, or where statfs fails). */
  readonly free: number | undefined;
}

/** How long a reading of the free space is trusted. */
const FRESH_MS = 1000;

export async function freeSpaceGuard(dir: string, minFreeBytes: number): Promise<FreeSpaceGuard> {
  let free: number | undefined;
  let readAt = 0;
  let admittedSince = 0;
  let full = false;
  /** Freed inside the file and not yet taken by new data. */
  let inside = 0;
  let reading: Promise<void> | undefined;
  const read = (): Promise<void> =>
    (reading ??= statfs(dir).then(
      (stats) => {
        free = stats.bavail * stats.bsize;
        readAt = Date.now();
        admittedSince = 0;
        reading = undefined;
      },
      () => {
        // A file system statfs cannot read is not guarded: commit failures are still caught and typed.
        free = undefined;
        readAt = Date.now();
        reading = undefined;
      },
    ));
  const decide = (bytes: number): boolean => {
    const reused = Math.min(inside, bytes);
    const growth = bytes - reused;
    const room = free === undefined || minFreeBytes === 0 || free - admittedSince - growth >= minFreeBytes;
    full = !room;
    if (room) {
      inside -= reused;
      admittedSince += growth;
    }
    return room;
  };
  await read();
  return {
    admits(bytes) {
      if (Date.now() - readAt > FRESH_MS) void read();
      const room = decide(bytes);
      if (!room) void read();
      return room;
    },
    async check(bytes) {
      await read();
      return decide(bytes);
    },
    freed(bytes) {
      inside += bytes;
    },
    get full() {
      return full;
    },
    get free() {
      return free;
    },
  };
}
