import { CapacityError, type HeraldStore, type InboxRecord, type OutboxRecord } from '@herald/core';
import { addToCount, readCount } from './counts.js';
import { openDatabases } from './environment.js';
import { resolveInit, type LmdbStoreInit } from './init.js';
import { outboxIds } from './outbox-ids.js';
import { byAge, checkEnvelope, checkId, checkTime, inboxFromStorage, outboxFromStorage, storableId } from './records.js';
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
  /** Records in each queue: the outbox as of every write issued so far, the inbox and seen-set as last committed. */
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
 * Write paths: the outbox uses plain puts and removes (see outbox-ids.ts). The
 * inbox and seen-set must read before writing, so each of their mutations is a
 * `transaction` callback, even a lone delete: callbacks run in call order, but
 * a plain write issued in the same turn is applied before all of them (found by
 * the model test against memoryStore: receive then removeInbox left the record
 * in the inbox). The two groups share no data, so neither order leaks into
 * the other.
 */
export async function lmdbStore(init: LmdbStoreInit): Promise<LmdbStore> {
  const options = resolveInit(init);
  const databases = await openDatabases(options);
  const { env, outbox, inbox, seen, meta } = databases;
  const ids = outboxIds(outbox, options.maxOutbox);
  let closed = false;
  let closing: Promise<void> | undefined;

  const check = (): void => {
    if (closed) throw new Error('store is closed');
  };

  return {
    path: init.path,
    get seenCount() {
      check();
      return readCount(meta, 'seen');
    },
    counts() {
      check();
      return { outbox: ids.size, inbox: readCount(meta, 'inbox'), seen: readCount(meta, 'seen') };
    },

    // Not async, and no await: one enqueue costs one promise beyond lmdb-js's shared commit promise. Between two commits
    // the main thread resolves the last batch and issues the next, so every microsecond here lengthens each commit cycle.
    putOutbox(record) {
      let write: Promise<boolean>;
      try {
        check();
        checkId(record.id, 'putOutbox');
        checkEnvelope(record.envelope, 'putOutbox');
        // Replacing a record never needs room; only a new id counts against the bound.
        const added = ids.admit(record.id);
        try {
          write = outbox.put(record.id, record); // encodes now: a record msgpack cannot encode throws here
        } catch (error) {
          if (added) ids.forget(record.id);
          throw error;
        }
      } catch (error) {
        return Promise.reject(error);
      }
      return ids.settle(write);
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
      await ids.settle(outbox.remove(id));
    },

    async receive(record) {
      check();
      checkId(record.id, 'receive');
      checkEnvelope(record.envelope, 'receive');
      checkTime(record.expiresAt, 'receive');
      // One transaction: the seen check, the seen insert and the inbox insert. Callbacks run one after another inside the
      // write transaction and see each other's writes, so of concurrent copies of one id exactly one finds it unseen.
      const outcome = await env.transaction(() => {
        if (seen.doesExist(record.id)) return 'duplicate';
        if (readCount(meta, 'inbox') >= options.maxInbox) return 'inbox full';
        if (readCount(meta, 'seen') >= options.maxSeen) return 'seen full';
        // The inbox record first: it is the only write that encodes caller data, so if encoding throws nothing was written.
        // The id was unseen, so it is not in the inbox either (inbox ids stay seen until removed): this is an insert.
        inbox.put(record.id, record);
        addToCount(meta, 'inbox', 1);
        rememberSeen(databases, record.id, record.expiresAt);
        return 'added';
      });
      if (outcome === 'inbox full') throw new CapacityError(`inbox is full: ${options.maxInbox} records (maxInbox)`);
      if (outcome === 'seen full') throw new CapacityError(`seen-set is full: ${options.maxSeen} ids (maxSeen)`);
      return outcome === 'added';
    },

    async markSeen(id, expiresAt) {
      check();
      checkId(id, 'markSeen');
      checkTime(expiresAt, 'markSeen');
      const outcome = await env.transaction(() => {
        if (seen.doesExist(id)) return 'duplicate';
        if (readCount(meta, 'seen') >= options.maxSeen) return 'full';
        rememberSeen(databases, id, expiresAt);
        return 'added';
      });
      if (outcome === 'full') throw new CapacityError(`seen-set is full: ${options.maxSeen} ids (maxSeen)`);
      return outcome === 'added';
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
      await env.transaction(() => {
        if (!inbox.doesExist(id)) return;
        inbox.remove(id);
        addToCount(meta, 'inbox', -1);
      });
    },

    async pruneSeen(now) {
      check();
      checkTime(now, 'pruneSeen');
      let removed = 0;
      let after: [number, string] | undefined;
      do {
        const start = after;
        const step = await env.transaction(() => pruneStep(databases, now, start));
        removed += step.removed;
        after = step.next;
      } while (after !== undefined && !closed);
      return removed;
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
}
