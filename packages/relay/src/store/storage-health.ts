/** A failed write of the relay's store (lmdb-failure.ts classifies LMDB's: free space decides). */
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
