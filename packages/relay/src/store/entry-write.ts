import type { QueuedWrite, TurnBatch } from './turn-batch.js';

/**
 * The write of one new mailbox entry. It goes into the next group commit, or
 * is held back for a while when the entry was pushed to a connected recipient:
 * an ACK in that time means the recipient's node holds it durably, so the
 * relay never writes it at all (docs/relay-protocol.md 3.8). Either way the
 * entry is durable somewhere before `durable` settles.
 */
export interface EntryWrite {
  /** Settles when the entry is durable: written in a committed batch, or acknowledged before it was written. */
  readonly durable: Promise<void>;
  /** Holds the write back for `ms`, if its batch has not started; says whether it did. */
  hold(ms: number): boolean;
  /** Takes the write back for good (its recipient acknowledged the entry), if it has not started; says whether it did. */
  elide(): boolean;
}

export function entryWrite(batch: TurnBatch, write: () => void): EntryWrite {
  let current: QueuedWrite | undefined;
  let timer: NodeJS.Timeout | undefined;
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const durable = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // Observed by the deposit that owns it; this keeps a failed commit from also being reported as unhandled here.
  durable.catch(() => undefined);
  const queue = (): void => {
    const queued = batch.add(write);
    current = queued;
    queued.durable.then(
      () => current === queued && settle.resolve(),
      (error: unknown) => current === queued && settle.reject(error),
    );
  };
  queue();
  return {
    durable,
    hold(ms) {
      if (timer !== undefined || !current?.cancel()) return false;
      current = undefined;
      // Not unref'd: a relay shutting down waits for this deposit, and so for its write.
      timer = setTimeout(() => {
        timer = undefined;
        queue();
      }, ms);
      return true;
    },
    elide() {
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      } else if (!current?.cancel()) {
        return false;
      }
      current = undefined;
      settle.resolve();
      return true;
    },
  };
}
