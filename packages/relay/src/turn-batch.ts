/**
 * Group commit for the relay's store. Writes made while no commit is running
 * are issued together right after the event loop's I/O phase; writes made
 * while one is running wait for it and then go together in the next. Each
 * batch is one LMDB transaction with one fsynced commit: one trip to lmdb-js's
 * writer thread per batch instead of one per envelope, which dominated the
 * relay's cost per envelope. LMDB commits one transaction at a time anyway, so
 * waiting for the running commit adds no latency.
 */
export interface TurnBatch {
  /** Queues `write` for the next batch; resolves when that batch is durable. */
  add(write: () => void): Promise<void>;
}

interface Pending {
  readonly writes: (() => void)[];
  readonly durable: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

export function turnBatch(commit: (writes: () => void) => Promise<unknown>): TurnBatch {
  let next: Pending | undefined;
  let running = false;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const batch = next;
    if (!batch || running) return;
    next = undefined;
    running = true;
    commit(() => {
      for (const write of batch.writes) write();
    })
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
        let settle!: Pick<Pending, 'resolve' | 'reject'>;
        const durable = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
        // A rejected commit is handled by each caller; this keeps an unobserved one from being reported as unhandled.
        durable.catch(() => undefined);
        next = { writes: [], durable, ...settle };
      }
      next.writes.push(write);
      if (!running) schedule();
      return next.durable;
    },
  };
}
