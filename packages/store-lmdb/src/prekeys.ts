import { chmod, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { open, type Database } from 'lmdb';
import { OptionsError, prekeySecretStoreOver, type Identity, type PrekeyRecordBackend, type PrekeySecretStore } from '@herald/core';
import { syncDirectory } from './environment.js';

export interface LmdbPrekeySecretStoreInit {
  /**
   * Directory of the prekey secrets' own LMDB environment, kept apart from the
   * message store so its files can be locked down: created with mode 0700, its
   * files set to 0600, as the key file is.
   */
  readonly path: string;
  /** The identity whose prekeys these are: the records are encrypted under a key derived from its secret seed. */
  readonly identity: Identity;
  /** Bound on prekeys kept. Default DEFAULT_MAX_PREKEYS (10,000). */
  readonly maxPrekeys?: number;
}

/**
 * A PrekeySecretStore in LMDB. Each write resolves once committed and fsynced
 * (the same settings as lmdbStore, see environment.ts). Deleting writes zeros
 * over the record in one committed transaction, then removes it in a second:
 * LMDB is copy-on-write, so the zeros land on a new page and the old one is
 * only freed for reuse; docs/threat-model.md says what that does and does not
 * erase. The records are encrypted, so a freed page is readable only with the
 * identity's secret (and its passphrase, when the key file has one).
 */
export async function lmdbPrekeySecretStore(init: LmdbPrekeySecretStoreInit): Promise<PrekeySecretStore> {
  if (typeof init !== 'object' || init === null) throw new OptionsError('lmdbPrekeySecretStore: init is required ({ path, identity })');
  if (typeof init.path !== 'string' || init.path.trim() === '' || init.path.includes('\0')) throw new OptionsError(`path: expected a directory path, got ${String(init.path)}`);
  const path = resolve(init.path);
  await privateDirectory(path);
  const env = open({ path, noSubdir: false, overlappingSync: false, noSync: false, noMetaSync: false, useWritemap: false, cache: false, maxDbs: 2 });
  try {
    for (const file of ['data.mdb', 'lock.mdb']) await chmod(join(path, file), 0o600);
    await syncDirectory(path);
    const records = env.openDB<Uint8Array, string>('prekey-secrets', { encoding: 'binary' });
    return prekeySecretStoreOver(lmdbPrekeyRecordBackend(records, () => env.close()), init.identity, init.maxPrekeys);
  } catch (error) {
    await env.close();
    throw error;
  }
}

/** Prekey records in an LMDB database (binary values, hex ids as keys); exported for its test. */
export function lmdbPrekeyRecordBackend(records: Database<Uint8Array, string>, close: () => Promise<void>): PrekeyRecordBackend {
  return {
    entries: () => Array.from(records.getRange(), ({ key, value }) => [key, Uint8Array.from(value)] as const),
    get: (id) => {
      const value = records.get(id);
      return value === undefined ? undefined : Uint8Array.from(value);
    },
    put: async (id, record) => {
      await records.put(id, record);
    },
    overwriteThenDelete: async (id) => {
      const length = records.get(id)?.length ?? 0;
      // Two transactions, the second issued only once the first is committed: lmdb-js folds writes issued together into one.
      await records.put(id, new Uint8Array(length));
      await records.remove(id);
    },
    close,
  };
}

/** Creates the directory with mode 0700, or narrows an existing one to it. */
async function privateDirectory(path: string): Promise<void> {
  const existing = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new OptionsError(`path: cannot use ${path}: ${error.message}`, { cause: error });
  });
  if (existing !== undefined && !existing.isDirectory()) throw new OptionsError(`path: ${path} exists and is not a directory`);
  if (existing === undefined) await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}
