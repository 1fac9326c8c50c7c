import { commitFailure } from '@herald/store-lmdb';
import { StorageFailure } from './storage-health.js';

/** Turns whatever a failed LMDB commit threw into a {@link StorageFailure}, reading the free space under `dir`. */
export async function storageFailure(dir: string, error: unknown): Promise<StorageFailure> {
  const failure = await commitFailure(dir, error);
  if (failure === undefined) return new StorageFailure(false, `committing to the store failed (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  return new StorageFailure(failure.full, failure.full ? `the store's file system is full (${failure.message})` : `committing to the store failed (${failure.message})`, { cause: failure.cause });
}
