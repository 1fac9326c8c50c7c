/**
 * Group commit for the relay's store. Writes made while no commit is running
 * are issued together right after the event loop's I/O phase; writes made
 * while one is running wait for it and then go together in the next. Each
 * batch is one LMDB transaction with one fsynced commit: one trip to lmdb-js's
 * writer thread per batch instead of one per envelope, which dominated the
 * relay's cost per envelope. LMDB commits one transaction at a time anyway, so
 * waiting for the running commit adds no latency.
 *
 * A write still waiting for its batch can be taken back (`cancel`): the relay
 * does so for an envelope its recipient acknowledged before it was written.
 */
export interface QueuedWrite {
  /** Settles when the batch this write belongs to is durable (at once for a batch left empty). */
  readonly durable: Promise<void>;
  /** Takes the write out of its batch if that batch has not started; says whether it did. */
  cancel(): boolean;
}

export interface TurnBatch {
  add(write: () => void): QueuedWrite;
}

interface Batch {
  readonly writes: Set<() => void>;
  readonly durable: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

export function turnBatch(commit: (writes: () => void) => Promise<unknown>): TurnBatch {
  let next: Batch | undefined;
  let running = false;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const batch = next;
    if (!batch || running) return;
    next = undefined;
    if (batch.writes.size === 0) return batch.resolve();
    running = true;
    let committing: Promise<unknown>;
    try {
      committing = commit(() => {
        for (const write of batch.writes) write();
      });
    } catch (error) {
      // A store closed under it throws at once: that batch fails like a failed commit, it must not escape the timer.
      committing = Promise.reject(error);
    }
    committing
      .then(() => batch.resolve(), (error: unknown) => batch.reject(error))
      .finally(() => {
        running = false;
        if (next) schedule();
      });
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };
  return {
    add(write) {
      if (!next) {
        let settle!: Pick<Batch, 'resolve' | 'reject'>;
        const durable = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
        // A rejected commit is handled by each caller; this keeps an unobserved one from being reported as unhandled.
        durable.catch(() => undefined);
        next = { writes: new Set(), durable, ...settle };
      }
      const batch = next;
      // The same function may be queued twice; each add is its own entry.
      const own = (): void => write();
      batch.writes.add(own);
      if (!running) schedule();
      return { durable: batch.durable, cancel: () => batch === next && batch.writes.delete(own) };
    },
  };
}
