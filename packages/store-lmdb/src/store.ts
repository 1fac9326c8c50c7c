import { resolve } from 'node:path';
import { IF_EXISTS, type Database } from 'lmdb';
import { CapacityError, StoreFullError, type HeraldStore, type InboxRecord, type OutboxRecord } from '@herald/core';
import { storeError } from './commit-failure.js';
import { committedCount, queueBounds, type Queue } from './counts.js';
import { openDatabases } from './environment.js';
import { resolveInit, type LmdbStoreInit } from './init.js';
import { outboxIds } from './outbox-ids.js';
import { freeSpaceGuard } from './free-space.js';
import { byAge, checkEnvelope, checkId, checkTime, contactPrekeysFromStorage, inboxFromStorage, outboxFromStorage, storableId } from './records.js';
import { pruneStep, rememberSeen } from './seen.js';

export interface StoreCounts {
  readonly outbox: number;
  readonly inbox: number;
  readonly seen: number;
}

/** A {@link HeraldStore} kept in LMDB: every mutating method resolves only after its transaction is fsynced. */
export interface LmdbStore extends HeraldStore {
  /** The directory the store lives in, as given. */
  readonly path: string;
  /** Ids in the seen-set (as `memoryStore().seenCount`). */
  readonly seenCount: number;
  /** Records in each queue: the outbox as of every write issued so far, the inbox and seen-set as committed (LMDB's entry counts). */
  counts(): StoreCounts;
}

/**
 * Opens the store at `init.path`, creating it if missing. Rejects with an
 * `OptionsError` (INVALID_OPTIONS) naming the field when `init` is invalid.
 *
 * lmdb-js gathers every write issued while the previous commit is syncing into
 * the next single transaction, so N concurrent callers share one fsync (group
 * commit) while each still waits for its own change to be on disk.
 *
 * Write paths: none of the hot ones holds the write transaction on the main
 * thread. The outbox uses plain puts and removes (see outbox-ids.ts). A
 * received envelope is one conditional write (`ifNoExists` on its seen id:
 * the inbox record and both seen-set entries, or nothing) that lmdb-js's
 * writer thread checks and applies in call order, so of concurrent copies of
 * one id exactly one is added; the bounds are counted in memory (counts.ts).
 * Only pruning, which must read a range before it deletes, runs a
 * `transaction` callback. lmdb-js applies plain writes issued in the same turn
 * before such callbacks, out of call order (found by the model test against
 * memoryStore: markSeen issued after pruneSeen was pruned by it), so while a
 * prune is under way the seen-set and inbox writes are callbacks too. Pruning
 * is rare; the fast path is the rule.
 */
export async function lmdbStore(init: LmdbStoreInit): Promise<LmdbStore> {
  const options = resolveInit(init);
  const databases = await openDatabases(options);
  const { env, outbox, inbox, seen, contactPrekeys } = databases;
  const ids = outboxIds(outbox, options.maxOutbox);
  const bounds = queueBounds(databases, { inbox: options.maxInbox, seen: options.maxSeen });

  const guard = await freeSpaceGuard(resolve(options.path), options.minFreeBytes);
  let closed = false;
  /** pruneSeen calls under way: while one is, the seen-set and inbox writes go through transaction callbacks (see above). */
  let pruning = 0;
  let closing: Promise<void> | undefined;

  const check = (): void => {
    if (closed) throw new Error('store is closed');
  };
  const refuseNew = (): StoreFullError =>
    new StoreFullError(`the store's disk is full: new messages are refused while less than ${options.minFreeBytes} bytes are free under ${options.path} (minFreeBytes); what it holds is still sent, read and removed`);
  /**
   * A failed commit, typed (STORE_FULL, STORE_FAILED). On a full disk `again` (a write that adds no record, which may
   * have failed only because it shared a commit with one that did) is tried once more.
   */
  const failed = async <T>(error: unknown, again?: () => Promise<T>): Promise<T> => {
    const typed = await storeError(options.path, error);
    if (!(typed instanceof StoreFullError) || !again) throw typed;
    return again().catch(async (next: unknown) => {
      throw await storeError(options.path, next);
    });
  };
  /** One transaction; `adds` when it may add a record (not tried again when it fails). */
  const transact = <T>(work: () => T, adds: boolean): Promise<T> => env.transaction(work).catch((error: unknown) => failed(error, adds ? undefined : () => env.transaction(work)));
  /**
   * Whether a new id may be stored, `bytes` long. Awaits only when the estimate says no: an await on every call
   * would let later calls' transactions overtake this one. A duplicate of an id held is no new data.
   */
  const roomFor = (id: string, bytes: number): true | Promise<void> => {
    if (guard.admits(bytes)) return true;
    return (async () => {
      if (!seen.doesExist(id) && !(await guard.check(bytes))) throw refuseNew();
    })();
  };

  const store: LmdbStore = {
    path: init.path,
    get seenCount() {
      check();
      return committedCount(databases, 'seen');
    },
    counts() {
      check();
      return { outbox: ids.size, inbox: committedCount(databases, 'inbox'), seen: committedCount(databases, 'seen') };
    },

    // Not async, and no await: one enqueue costs one promise beyond lmdb-js's shared commit promise. Between two commits
    // the main thread resolves the last batch and issues the next, so every microsecond here lengthens each commit cycle.
    putOutbox(record) {
      let added: boolean;
      try {
        check();
        checkId(record.id, 'putOutbox');
        checkEnvelope(record.envelope, 'putOutbox');
        // Replacing a record never needs room; only a new id counts against the bound.
        added = ids.admit(record.id);
      } catch (error) {
        return Promise.reject(error);
      }
      const bytes = record.envelope.length + RECORD_OVERHEAD;
      // A new record needs free disk space; an update does not wait for it (the room kept free is for updates).
      if (added && !guard.admits(bytes)) {
        return guard.check(bytes).then((room) => {
          if (room) return write(record, added);
          ids.forget(record.id);
          throw refuseNew();
        });
      }
      return write(record, added);
    },
    async getOutbox(id) {
      check();
      if (!storableId(id)) return undefined;
      const stored = outbox.get(id);
      return stored === undefined ? undefined : outboxFromStorage(stored);
    },

    async listOutbox() {
      check();
      const records: OutboxRecord[] = [];
      for (const { value } of outbox.getRange()) records.push(outboxFromStorage(value));
      return records.sort(byAge((record) => record.createdAt));
    },

    async deleteOutbox(id) {
      check();
      if (!storableId(id)) return;
      ids.forget(id);
      await ids.settle(outbox.remove(id)).catch((error: unknown) => failed(error, () => ids.settle(outbox.remove(id))));
    },

    async receive(record) {
      check();
      checkId(record.id, 'receive');
      checkEnvelope(record.envelope, 'receive');
      checkTime(record.expiresAt, 'receive');
      // Awaited only while the disk is full: an await here would let later calls' transactions overtake this one.
      const room = roomFor(record.id, record.envelope.length + RECORD_OVERHEAD);
      if (room !== true) await room;
      return insertUnseen(record.id, RECEIVED, () => {
        // The inbox record first: it is the only write that encodes caller data, so if encoding throws nothing was written.
        // The id was unseen, so it is not in the inbox either (inbox ids stay seen until removed): this is an insert.
        inbox.put(record.id, record);
        rememberSeen(databases, record.id, record.expiresAt);
      });
    },

    async markSeen(id, expiresAt) {
      check();
      checkId(id, 'markSeen');
      checkTime(expiresAt, 'markSeen');
      const room = roomFor(id, RECORD_OVERHEAD);
      if (room !== true) await room;
      return insertUnseen(id, MARKED, () => rememberSeen(databases, id, expiresAt));
    },

    async listInbox() {
      check();
      const records: InboxRecord[] = [];
      for (const { value } of inbox.getRange()) records.push(inboxFromStorage(value));
      return records.sort(byAge((record) => record.receivedAt));
    },

    async removeInbox(id) {
      check();
      if (!storableId(id)) return;
      // Conditional on the record being there, so the answer says whether this call removed it (the count follows).
      const remove = (): Promise<boolean> => writeIf(inbox, id, 'present', () => void inbox.remove(id));
      const removed = await remove().catch((error: unknown) => failed(error, remove));
      if (removed) bounds.removed('inbox', 1);
    },

    async pruneSeen(now) {
      check();
      checkTime(now, 'pruneSeen');
      let removed = 0;
      let after: [number, string] | undefined;
      pruning++;
      try {
        do {
          const start = after;
          const step = await transact(() => pruneStep(databases, now, start), false);
          bounds.removed('seen', step.removed);
          removed += step.removed;
          after = step.next;
        } while (after !== undefined && !closed);
      } finally {
        pruning--;
      }
      return removed;
    },

    async getContactPrekeys(contact) {
      check();
      if (!storableId(contact)) return undefined;
      const stored = contactPrekeys.get(contact);
      return stored === undefined ? undefined : contactPrekeysFromStorage(stored);
    },

    async putContactPrekeys(record) {
      check();
      checkId(record.contact, 'putContactPrekeys');
      // Small (a few prekeys per contact, bounded by the node), and an update frees as much as it takes: no room check.
      await contactPrekeys.put(record.contact, record).catch((error: unknown) => failed(error));
    },

    async updateContactPrekeys(contact, change) {
      check();
      checkId(contact, 'updateContactPrekeys');
      // One write transaction: LMDB serialises writers across processes, so a `herald send` and a `herald listen` on one
      // data dir never both take the same one-time prekey.
      return transact(() => {
        const stored = contactPrekeys.get(contact);
        const current = stored === undefined ? undefined : contactPrekeysFromStorage(stored);
        const next = change(current);
        if (next === undefined) return current;
        contactPrekeys.put(contact, next);
        return next;
      }, true);
    },

    async deleteContactPrekeys(contact) {
      check();
      if (!storableId(contact)) return;
      await contactPrekeys.remove(contact).catch((error: unknown) => failed(error, () => contactPrekeys.remove(contact)));
    },

    close() {
      // Idempotent, and later calls wait for the same close.
      closing ??= (async () => {
        closed = true;
        // Writes issued before close() are already queued; lmdb-js's close waits for them to commit (and so to sync).
        await env.committed;
        await env.close();
      })();
      return closing;
    },
  };
  return store;

  /**
   * Writes `writes` (the seen-set entries of `id`, and its inbox record when `queues` has it) only if `id` is unseen,
   * in one conditional write on the writer thread; resolves true when they were written, false for a duplicate.
   */
  async function insertUnseen(id: string, queues: readonly Queue[], writes: () => void): Promise<boolean> {
    const full = bounds.full(queues);
    if (full !== undefined) {
      // A duplicate needs no room: it is answered as one even when the queue is full (its sender is waiting for an ack).
      if (seen.doesExist(id)) return false;
      throw new CapacityError(full === 'inbox' ? `inbox is full: ${options.maxInbox} records (maxInbox)` : `seen-set is full: ${options.maxSeen} ids (maxSeen)`);
    }
    bounds.begin(queues);
    let added = false;
    try {
      let writing: Promise<boolean>;
      try {
        writing = writeIf(seen, id, 'absent', writes);
      } catch (error) {
        writing = Promise.reject(error); // encoding threw: nothing was written
      }
      added = await writing.catch((error: unknown) => failed<boolean>(error));
      return added;
    } finally {
      bounds.end(queues, added);
    }
  }

  /**
   * Runs `writes` in one write only if `key` is `absent` from (or `present` in) `database`; resolves whether it ran.
   * A conditional write on lmdb-js's writer thread, except while a prune's transaction callback waits: a plain write
   * would then be applied before it, so it is a callback too, in call order.
   */
  function writeIf<V>(database: Database<V, string>, key: string, expect: 'absent' | 'present', writes: () => void): Promise<boolean> {
    if (pruning > 0) {
      return env.transaction(() => {
        if (database.doesExist(key) !== (expect === 'present')) return false;
        writes();
        return true;
      });
    }
    return expect === 'absent' ? database.ifNoExists(key, writes) : database.ifVersion(key, IF_EXISTS, writes);
  }

  function write(record: OutboxRecord, added: boolean): Promise<void> {
    let written: Promise<boolean>;
    try {
      written = outbox.put(record.id, record); // encodes now: a record msgpack cannot encode throws here
    } catch (error) {
      if (added) ids.forget(record.id);
      return Promise.reject(error);
    }
    return ids.settle(written).catch((error: unknown) => failed(error, added ? undefined : () => ids.settle(outbox.put(record.id, record))));
  }
}

const RECEIVED: readonly Queue[] = ['inbox', 'seen'];
const MARKED: readonly Queue[] = ['seen'];

/** What a record costs beyond its envelope, for the free-space estimate: its other fields and LMDB's pages. */
const RECORD_OVERHEAD = 4096;
