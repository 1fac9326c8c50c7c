import { mkdir, open as openFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { OptionsError, type ContactPrekeys, type InboxRecord, type OutboxRecord } from '@herald/core';
import type { ResolvedInit } from './init.js';

/** Bumped when the layout of the sub-databases changes; an unknown format is refused, never guessed at. */
export const STORE_FORMAT = 1;

/** The named sub-databases of one environment; one write transaction spans all of them. */
export interface Databases {
  readonly env: RootDatabase;
  readonly outbox: Database<OutboxRecord, string>;
  readonly inbox: Database<InboxRecord, string>;
  /** Seen id → the time (ms) until which it is remembered. */
  readonly seen: Database<number, string>;
  /** [expiresAt, id] → null: the seen-set ordered by expiry, so pruning reads only what expired. */
  readonly seenByExpiry: Database<null, [number, string]>;
  readonly meta: Database<number, string>;
  /** Contact fingerprint → the prekeys received from it and the one-time ones used. */
  readonly contactPrekeys: Database<ContactPrekeys, string>;
}

/**
 * Opens (creating if needed) the environment at `init.path`.
 *
 * Durability: lmdb-js defaults to `overlappingSync` on Linux and macOS, where a
 * write's promise resolves once the transaction is committed and visible but
 * BEFORE it is flushed (its README: "The write actions return a promise for when
 * they are committed"; `db.flushed` is the separate promise for the flush). With
 * `overlappingSync: false` the writer thread begins each transaction without
 * MDB_NOSYNC (src/writer.cpp), so `mdb_txn_commit` fdatasyncs the data pages and
 * writes the meta page through the O_DSYNC descriptor before it returns, and
 * the promise is resolved only after that. `noSync`, `noMetaSync` and
 * `useWritemap` stay off for the same reason (as does `mapAsync`, by default). Group commit is untouched:
 * lmdb-js still gathers every write issued in one event turn, and those queued
 * while a commit is syncing, into the next single transaction.
 *
 * `eventTurnBatching` off: lmdb-js's event-turn batch holds a commit promise no
 * caller can observe, and when that commit fails (a full disk) it is an
 * unhandled rejection that kills the process. Without it, lmdb-js still gathers
 * the writes of one turn into one transaction (it starts writing on the next
 * setImmediate), and each caller's promise rejects with its commit.
 */
export async function openDatabases(init: ResolvedInit): Promise<Databases> {
  const path = resolve(init.path);
  const created = await ensureDirectory(path);
  const env = open({
    path,
    // Without this a path ending in ".something" would be taken for a file name.
    noSubdir: false,
    overlappingSync: false,
    noSync: false,
    noMetaSync: false,
    useWritemap: false,
    // Asynchronous writes are visible only once committed, so the store never answers from an uncommitted cache.
    cache: false,
    mapSize: init.mapSize,
    maxDbs: 8,
    eventTurnBatching: false,
  });
  try {
    const databases: Databases = {
      env,
      outbox: env.openDB<OutboxRecord, string>('outbox', {}),
      inbox: env.openDB<InboxRecord, string>('inbox', {}),
      seen: env.openDB<number, string>('seen', {}),
      seenByExpiry: env.openDB<null, [number, string]>('seen-by-expiry', {}),
      meta: env.openDB<number, string>('meta', {}),
      contactPrekeys: env.openDB<ContactPrekeys, string>('contact-prekeys', {}),
    };
    await checkFormat(databases, path);
    // LMDB fsyncs the file but never its directory: without this a new store's data.mdb could vanish in a power cut.
    for (const directory of [path, ...created.map((dir) => dirname(dir))]) await syncDirectory(directory);
    return databases;
  } catch (error) {
    await env.close();
    throw error;
  }
}

/** Creates the directory if missing; returns the directories it created, deepest last. */
async function ensureDirectory(path: string): Promise<string[]> {
  const existing = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new OptionsError(`path: cannot use ${path}: ${error.message}`, { cause: error });
  });
  if (existing !== undefined) {
    if (!existing.isDirectory()) throw new OptionsError(`path: ${path} exists and is not a directory`);
    return [];
  }
  const first = await mkdir(path, { recursive: true });
  const created: string[] = [];
  if (first !== undefined) for (let dir = path; dir.length >= first.length; dir = dirname(dir)) created.unshift(dir);
  return created;
}

/** Stamps a new store with its format; refuses a store of another format, or data that is not a Herald store. */
async function checkFormat(databases: Databases, path: string): Promise<void> {
  const { meta, outbox, inbox, seen, seenByExpiry } = databases;
  const format = meta.get('format');
  if (format === undefined) {
    // A store without a format stamp must be new: empty sub-databases.
    const empty = [outbox, inbox, seen, seenByExpiry].every((database) => database.getKeysCount({ limit: 1 }) === 0);
    if (!empty) throw new OptionsError(`path: ${path} holds an LMDB environment that is not a Herald store`);
    // Format 1 stores written before this version also hold 'count:inbox' and 'count:seen' here: no longer read or written.
    await meta.put('format', STORE_FORMAT);
    return;
  }
  if (format !== STORE_FORMAT) throw new OptionsError(`path: ${path} holds a Herald store of format ${String(format)}; this version reads format ${STORE_FORMAT}`);
}

export async function syncDirectory(path: string): Promise<void> {
  const handle = await openFile(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
