import type { RootDatabase } from 'lmdb';
import { mergeUpload, recordBytes, takeOne, type DirectoryRecord } from './prekey-directory.js';

/**
 * The prekey directory in the relay's LMDB environment: one row per mailbox (`prekeys`: tag → record). Each
 * put and take is one write transaction (read, merge or take, write), so two takes never hand out the same
 * one-time prekey; it resolves once its commit is fsynced (the environment's overlappingSync is off). The
 * bytes held are counted at open (a scan of at most `maxBytes`: MailboxLimits.directoryMaxBytes) and kept up to date in memory.
 * `failed` turns a failed commit into the store's StorageFailure.
 */
export function lmdbPrekeyDirectory(env: RootDatabase, maxBytes: number, failed: (error: unknown) => Promise<never>) {
  const table = env.openDB<DirectoryRecord, string>('prekeys', {});
  // msgpack gives byte strings back as Buffers: views on them are what the relay hands on.
  const read = (tag: string): DirectoryRecord | undefined => table.get(tag);
  let held = 0;
  for (const { value } of table.getRange({})) held += recordBytes(value);
  return {
    put(tag: string, upload: DirectoryRecord, now: number): Promise<number | 'full'> {
      let growth = 0;
      return env
        .transaction(() => {
          const before = read(tag);
          const merged = mergeUpload(before, upload, now);
          growth = recordBytes(merged) - recordBytes(before);
          if (growth > 0 && held + growth > maxBytes) return (growth = 0), 'full' as const;
          void table.put(tag, merged);
          held += growth;
          return merged.oneTime.length;
        })
        .catch((error: unknown) => ((held -= growth), failed(error)));
    },
    take(tag: string, now: number): Promise<DirectoryRecord | undefined> {
      let growth = 0;
      return env
        .transaction(() => {
          const before = read(tag);
          const { given, kept } = takeOne(before, now);
          if (kept) void table.put(tag, kept);
          else if (before) void table.remove(tag);
          growth = recordBytes(kept) - recordBytes(before);
          held += growth;
          return given;
        })
        .catch((error: unknown) => ((held -= growth), failed(error)));
    },
  };
}
