import { statfs } from 'node:fs/promises';
import { DeliveryError, StoreFullError, type HeraldError } from '@herald/core';

/** Why an LMDB commit failed, as far as can be told. */
export interface CommitFailure {
  /** The file system holding the environment has no room left. */
  readonly full: boolean;
  /** The system error and the free bytes, for logs and error messages. */
  readonly message: string;
  /** The system error lmdb-js reported. */
  readonly cause: unknown;
}

/** Below this many free bytes a failed commit is taken for a full disk: one commit of a few records needs more. */
const FULL_BELOW_BYTES = 1024 * 1024;

/**
 * Reads a rejected lmdb-js write: undefined when it was no failed commit (a closed store, a value that would not
 * encode). lmdb-js rejects a failed commit with a generic error whose `commitError` promise holds the system error,
 * and a full disk is not always ENOSPC there (on tmpfs it is EIO, measured), so the free space of `dir`'s file
 * system decides. Must be called as soon as the write rejects: it also observes `commitError`, which would
 * otherwise be an unhandled rejection.
 */
export async function commitFailure(dir: string, error: unknown): Promise<CommitFailure | undefined> {
  const commitError = (error as { commitError?: Promise<unknown> } | undefined)?.commitError;
  if (commitError === undefined) return undefined;
  const cause = await commitError.then(() => error, (inner: unknown) => inner);
  const system = cause instanceof Error ? cause.message : String(cause);
  const free = await statfs(dir).then((stats) => stats.bavail * stats.bsize, () => undefined);
  const full = (cause as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC' || (free !== undefined && free < FULL_BELOW_BYTES);
  return { full, message: free === undefined ? system : `${system}, ${free} bytes free`, cause };
}

/** A failed commit as the node sees it: STORE_FULL on a full disk, else STORE_FAILED; other errors unchanged. */
export async function storeError(dir: string, error: unknown): Promise<unknown> {
  const failure = await commitFailure(dir, error);
  if (failure === undefined) return error;
  const typed: HeraldError = failure.full
    ? new StoreFullError(`the store's disk is full (${failure.message}); nothing was stored: free space under ${dir}`, { cause: failure.cause })
    : new DeliveryError('STORE_FAILED', `the store could not commit (${failure.message})`, { cause: failure.cause });
  return typed;
}
