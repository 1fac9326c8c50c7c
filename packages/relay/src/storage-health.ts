import { statfs } from 'node:fs/promises';

/**
 * A failed commit of the mailbox store, classified. LMDB reports a full file
 * system as a failed commit whose cause is not always ENOSPC (on tmpfs it is
 * EIO), so the free space of the store's file system decides what it was.
 */
export class StorageFailure extends Error {
  constructor(
    /** True when the file system holding the store has no room left: deposits are refused with STORAGE_FULL. */
    readonly full: boolean,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'StorageFailure';
  }
}

/** Below this many free bytes a failed commit is taken for a full disk (one LMDB commit of a few envelopes needs more). */
const FULL_BELOW_BYTES = 1024 * 1024;

/** Turns whatever a failed commit threw into a {@link StorageFailure}, reading the free space under `dir`. */
export async function storageFailure(dir: string, error: unknown): Promise<StorageFailure> {
  // lmdb-js rejects a failed commit with a generic error whose `commitError` promise holds the system error.
  const commitError = (error as { commitError?: Promise<unknown> } | undefined)?.commitError;
  const cause = commitError ? await commitError.then(() => error, (inner: unknown) => inner) : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  const free = await statfs(dir).then((stats) => stats.bavail * stats.bsize, () => undefined);
  const full = (cause as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC' || (free !== undefined && free < FULL_BELOW_BYTES);
  const room = free === undefined ? '' : `, ${free} bytes free`;
  return new StorageFailure(full, full ? `the store's file system is full (${message}${room})` : `committing to the store failed (${message}${room})`, { cause });
}

/**
 * Whether the relay's store takes deposits. After a failed commit deposits are
 * refused at once (STORAGE_FULL or UNAVAILABLE) for `retryMs`; then they are
 * tried again, and the first one committed ends the state. Collection and
 * acknowledgements go on meanwhile: removals free pages inside LMDB's file.
 */
export interface StorageHealth {
  /** The failure deposits are refused for now, or undefined when they may be tried. */
  refusal(now: number): StorageFailure | undefined;
  /** The last failure, until a deposit commits again: what /healthz and the metric report. */
  readonly failure: StorageFailure | undefined;
  failed(failure: StorageFailure, now: number): void;
  committed(): void;
}

export function storageHealth(retryMs: number, onChange: (failure: StorageFailure | undefined) => void): StorageHealth {
  let failure: StorageFailure | undefined;
  let retryAt = 0;
  return {
    get failure() {
      return failure;
    },
    refusal(now) {
      return failure !== undefined && now < retryAt ? failure : undefined;
    },
    failed(next, now) {
      const changed = failure?.message !== next.message;
      failure = next;
      retryAt = now + retryMs;
      if (changed) onChange(failure);
    },
    committed() {
      if (failure === undefined) return;
      failure = undefined;
      onChange(undefined);
    },
  };
}
