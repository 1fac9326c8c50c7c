import { mkdir, open as openFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { randomFillSync } from 'node:crypto';
import { OptionsError } from '@herald/core';
import { sodium } from './sodium.js';
import { mailboxCounts, type MailboxCounts } from './counts.js';
import { turnBatch, type QueuedWrite } from './turn-batch.js';

/** One stored envelope in one mailbox. `key` names it across connections (`tag:seq`). */
export interface MailEntry {
  readonly tag: string;
  readonly seq: number;
  readonly key: string;
  readonly bytes: Uint8Array;
  /** Set when its recipient acknowledged it before it was written: it never reaches the store. */
  elided?: boolean;
}

/**
 * What a deposit became, decided at once (in memory and from committed data); `committed` settles when the
 * write is durable. New entries may be pushed before that (cut-through): the depositor's ACCEPTED waits for it.
 */
export type DepositOutcome =
  | { readonly outcome: 'stored'; /** The new entries, one per mailbox that did not already hold these bytes. */ readonly entries: readonly MailEntry[]; readonly committed: Promise<void> }
  | { readonly outcome: 'duplicate'; /** Settles when the earlier copy of the same bytes is durable. */ readonly committed: Promise<void> }
  | { readonly outcome: 'mailbox-full' | 'relay-full' };

export interface MailboxStore {
  /** 16 random bytes made at the first start and kept: the relay's name in CHALLENGE frames. */
  readonly relayId: Uint8Array;
  readonly counts: MailboxCounts;
  /** Stores the envelope in every listed mailbox in one durable transaction (or in none). The bytes are copied at once. */
  deposit(envelope: Uint8Array, tags: readonly string[], id: string, keepUntil: number): DepositOutcome;
  /** Up to `limit` entries of one mailbox, oldest first, leaving out those `skip` names. Committed data only. */
  list(tag: string, limit: number, skip: (key: string) => boolean): MailEntry[];
  /**
   * Durably removes an entry (acknowledged by its recipient); a missing entry is no error. An entry whose write
   * is still waiting for its batch is taken out of it instead: resolves true then ("delivered, never stored").
   */
  remove(tag: string, seq: number): Promise<boolean>;
  /** Durably removes every entry kept until before `now`; returns how many. */
  purge(now: number, limit: number): Promise<number>;
  close(): Promise<void>;
}

const FORMAT = 1;

/**
 * The relay's mailboxes in one LMDB environment:
 *   mail    [tag, seq] → header (keepUntil f64, id 16, hash 16) || envelope bytes
 *   expiry  [keepUntil ms, tag, seq] → byte size   (purge order; also rebuilds the counts at start)
 *   dedup   [tag, id, hash] → seq   (the same bytes deposited twice are stored once; never by id alone)
 *   meta    format, relay id
 * Durability as in @herald/store-lmdb: overlappingSync off, so a write resolves
 * only after its commit is fsynced; writes issued together share one commit.
 */
export async function openMailboxes(path: string, mapSize: number, limits: { mailboxMaxEnvelopes: number; mailboxMaxBytes: number; maxStoredBytes: number }): Promise<MailboxStore> {
  const dir = resolve(path);
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    throw new OptionsError(`dataDir: cannot create ${dir}: ${error.code ?? error.message}`, { cause: error });
  });
  const env: RootDatabase = open({ path: dir, noSubdir: false, overlappingSync: false, noSync: false, noMetaSync: false, useWritemap: false, mapAsync: false, cache: false, mapSize, maxDbs: 8 } as Parameters<typeof open>[0]);
  const mail = env.openDB<Buffer, [string, number]>('mail', { encoding: 'binary' });
  const expiry = env.openDB<number, [number, string, number]>('expiry', {});
  const dedup = env.openDB<number, [string, string, string]>('dedup', {});
  const meta = env.openDB<unknown, string>('meta', {});
  const format = meta.get('format');
  if (format !== undefined && format !== FORMAT) {
    await env.close();
    throw new OptionsError(`dataDir: ${dir} holds a relay store of format ${String(format)}; this version reads format ${FORMAT}`);
  }
  let relayId = meta.get('relayId') as Uint8Array | undefined;
  if (!relayId) {
    relayId = randomFillSync(new Uint8Array(16));
    const id = relayId;
    await env.transaction(() => {
      meta.put('format', FORMAT);
      meta.put('relayId', Buffer.from(id));
    });
    await syncDirectory(dir);
  }
  const counts = mailboxCounts(limits);
  let seq = 0;
  for (const { key, value } of expiry.getRange({})) {
    counts.add(key[1], value);
    seq = Math.max(seq, key[2]);
  }
  /**
   * In-memory guards between a check and its commit: dedup keys and entry keys of deposits being written
   * (with their commit), and entries being removed.
   */
  const depositing = new Map<string, Promise<void>>();
  const inserting = new Map<string, Promise<void>>();
  const removing = new Set<string>();
  /** Entries whose write still waits for its batch, by entry key: what remove() may take back. */
  const queued = new Map<string, { readonly entry: MailEntry; readonly write: QueuedWrite; readonly size: number; readonly onElided: () => void }>();
  // Deposits and removals of one event-loop turn share one transaction and one fsynced commit.
  const writes = turnBatch((apply) => env.batch(apply));
  const hashOf = (envelope: Uint8Array): string => Buffer.from(sodium.crypto_generichash(16, envelope, null)).toString('hex');

  return {
    relayId: new Uint8Array(relayId),
    counts,
    deposit(envelope, tags, id, keepUntil) {
      tags = [...new Set(tags)];
      const hash = hashOf(envelope);
      const size = envelope.length;
      // The same bytes already stored (or being stored) for a mailbox are not stored again: its copy's commit is the answer.
      const earlier: Promise<void>[] = [];
      const fresh = tags.filter((tag) => {
        const dedupKey = `${tag}:${id}:${hash}`;
        const pending = depositing.get(dedupKey);
        if (pending) earlier.push(pending);
        return !pending && !dedup.doesExist([tag, id, hash]);
      });
      if (fresh.length === 0) return { outcome: 'duplicate', committed: Promise.all(earlier).then(() => undefined) };
      const reserved = counts.reserve(fresh, size);
      if (reserved !== 'ok') return { outcome: reserved };
      const bytes = withHeader(envelope, keepUntil, id, hash);
      const copy = bytes.subarray(HEADER_BYTES);
      const entries = fresh.map((tag): MailEntry => {
        const entrySeq = ++seq;
        return { tag, seq: entrySeq, key: `${tag}:${entrySeq}`, bytes: copy };
      });
      // Through lmdb-js's fast instruction queue, in the next batch (transaction callbacks need a round trip to
      // the writer thread per batch and halved throughput). One write per entry, so each can be taken back alone.
      const queuedWrites = entries.map((entry) =>
        writes.add(() => {
          void mail.put([entry.tag, entry.seq], bytes);
          void expiry.put([keepUntil, entry.tag, entry.seq], size);
          void dedup.put([entry.tag, id, hash], entry.seq);
        }),
      );
      // Durable for the depositor once its batch committed, or once every entry was acknowledged by its recipient
      // (stored there) before being written here.
      let unwritten = entries.length;
      let everyEntryDelivered!: () => void;
      const delivered = new Promise<void>((resolve) => (everyEntryDelivered = resolve));
      const settled = Promise.race([queuedWrites[0]!.durable, delivered]);
      const committed = (earlier.length === 0 ? settled : Promise.all([settled, ...earlier])).then(
        () => undefined,
        (error: unknown) => {
          counts.release(
            entries.filter((entry) => !entry.elided).map((entry) => entry.tag),
            size,
          );
          throw error;
        },
      );
      const forget = (): void => {
        for (const entry of entries) {
          depositing.delete(`${entry.tag}:${id}:${hash}`);
          inserting.delete(entry.key);
          queued.delete(entry.key);
        }
      };
      entries.forEach((entry, index) => {
        depositing.set(`${entry.tag}:${id}:${hash}`, committed);
        inserting.set(entry.key, committed);
        queued.set(entry.key, { entry, write: queuedWrites[index]!, size, onElided: () => void (--unwritten === 0 && everyEntryDelivered()) });
      });
      committed.then(forget, forget);
      return { outcome: 'stored', entries, committed };
    },
    list(tag, limit, skip) {
      const out: MailEntry[] = [];
      // Keys first, values only for the entries handed out: skipped (in-flight) entries cost a key decode, not a copy.
      for (const key of mail.getKeys({ start: [tag, 0], end: [tag, Number.MAX_SAFE_INTEGER] })) {
        const entryKey = `${tag}:${key[1]}`;
        if (skip(entryKey)) continue;
        const value = mail.getBinary(key);
        if (value === undefined) continue;
        out.push({ tag, seq: key[1], key: entryKey, bytes: new Uint8Array(value.buffer, value.byteOffset + HEADER_BYTES, value.byteLength - HEADER_BYTES) });
        if (out.length >= limit) break;
      }
      return out;
    },
    async remove(tag, seq) {
      const key = `${tag}:${seq}`;
      // Acknowledged before its batch started: the recipient holds it durably, so it need never be written.
      const waiting = queued.get(key);
      if (waiting?.write.cancel()) {
        queued.delete(key);
        waiting.entry.elided = true;
        counts.release([tag], waiting.size);
        waiting.onElided();
        return true;
      }
      // An entry pushed before its own commit (cut-through) can be acknowledged first: remove it once it exists.
      const pending = inserting.get(key);
      if (pending && !(await pending.then(() => true, () => false))) return false;
      const [size] = await removeEntries([[tag, seq]]);
      if (size !== undefined) counts.release([tag], size);
      return false;
    },
    async purge(now, limit) {
      const due: [string, number][] = [];
      for (const key of expiry.getKeys({ end: [now, '', 0], limit })) due.push([key[1], key[2]]);
      if (due.length === 0) return 0;
      const sizes = await removeEntries(due);
      due.forEach(([tag], index) => {
        const size = sizes[index];
        if (size !== undefined) counts.release([tag], size);
      });
      return sizes.filter((size) => size !== undefined).length;
    },
    async close() {
      await env.flushed;
      await env.close();
    },
  };

  /**
   * Durably removes entries and their index rows in one batch; returns each one's envelope size, or undefined
   * for one already gone or being removed (an ack and a purge may race: only one of them counts it).
   */
  async function removeEntries(entries: readonly (readonly [string, number])[]): Promise<(number | undefined)[]> {
    const rows = entries.map(([tag, entrySeq]) => {
      const key = `${tag}:${entrySeq}`;
      if (removing.has(key)) return undefined;
      const stored = mail.getBinary([tag, entrySeq]);
      if (stored === undefined) return undefined;
      removing.add(key);
      const header = new DataView(stored.buffer, stored.byteOffset, HEADER_BYTES);
      return { tag, entrySeq, key, keepUntil: header.getFloat64(0), id: stored.toString('hex', 8, 24), hash: stored.toString('hex', 24, 40), size: stored.length - HEADER_BYTES };
    });
    if (rows.every((row) => row === undefined)) return rows.map(() => undefined);
    try {
      await writes.add(() => {
        for (const row of rows) {
          if (!row) continue;
          void mail.remove([row.tag, row.entrySeq]);
          void expiry.remove([row.keepUntil, row.tag, row.entrySeq]);
          void dedup.remove([row.tag, row.id, row.hash]);
        }
      }).durable;
    } finally {
      for (const row of rows) if (row) removing.delete(row.key);
    }
    return rows.map((row) => row?.size);
  }
}

/** Bytes before the envelope in a mail row: what removal needs to find the index rows without scanning. */
const HEADER_BYTES = 40;

function withHeader(envelope: Uint8Array, keepUntil: number, id: string, hash: string): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + envelope.length);
  out.writeDoubleBE(keepUntil, 0);
  out.write(id, 8, 16, 'hex');
  out.write(hash, 24, 16, 'hex');
  out.set(envelope, HEADER_BYTES);
  return out;
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await openFile(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
