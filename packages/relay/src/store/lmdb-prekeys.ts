import type { RootDatabase } from 'lmdb';
import { mergeUpload, takeOne, type DirectoryRecord } from './prekey-directory.js';

/**
 * The prekey directory in the relay's LMDB environment: one row per mailbox (`prekeys`: tag → record). Each
 * put and take is one write transaction (read, merge or take, write), so two takes never hand out the same
 * one-time prekey; it resolves once its commit is fsynced (the environment's overlappingSync is off).
 */
export function lmdbPrekeyDirectory(env: RootDatabase) {
  const table = env.openDB<DirectoryRecord, string>('prekeys', {});
  // msgpack gives byte strings back as Buffers: views on them are what the relay hands on.
  const read = (tag: string): DirectoryRecord | undefined => table.get(tag);
  return {
    put(tag: string, upload: DirectoryRecord, now: number): Promise<number> {
      return env.transaction(() => {
        const merged = mergeUpload(read(tag), upload, now);
        void table.put(tag, merged);
        return merged.oneTime.length;
      });
    },
    take(tag: string, now: number): Promise<DirectoryRecord | undefined> {
      return env.transaction(() => {
        const { given, kept } = takeOne(read(tag), now);
        if (kept) void table.put(tag, kept);
        else void table.remove(tag);
        return given;
      });
    },
  };
}
