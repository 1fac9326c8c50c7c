import { mkdir, open as openFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { freeSpaceGuard } from '@herald/store-lmdb';
import { randomFillSync } from 'node:crypto';
import { OptionsError } from '@herald/core';
import { collectedMailboxes } from './collected.js';
import { mailboxCounts } from './counts.js';
import { mailIndex } from './mail-index.js';
import { entryWrite, type EntryWrite } from './entry-write.js';
import { turnBatch } from './turn-batch.js';
import { StorageFailure, storageHealth } from './storage-health.js';
import { storageFailure } from './lmdb-failure.js';
import { lmdbPrekeyDirectory } from './lmdb-prekeys.js';
import { DIRECTORY_MAX_BYTES } from './prekey-directory.js';
import type { DepositOutcome, DepositRequest, MailEntry, RelayStore, RelayStoreInit } from './relay-store.js';

/** 1: three rows an entry (mail, expiry, dedup). 2: the mail row alone, indexes in memory; 1 is migrated at open. */
const FORMAT = 2;

/** The LMDB store's options: where it lives and how large its map may grow, besides the limits every store keeps. */
export interface LmdbRelayStoreInit extends RelayStoreInit {
  /** Directory of the LMDB environment; created (0700) if missing. Required. */
  readonly dir: string;
  /** LMDB's map size in bytes: the most the store's file may grow to. Required (the relay's mapSize, default 2 GiB). */
  readonly mapSize: number;
}

/**
 * The relay's mailboxes in one LMDB environment:
 *   mail    [tag, seq] → header (keepUntil f64, id 16, 16 reserved bytes) || envelope bytes
 *   meta    format, relay id
 *   collected  tag → when first collected (collected.ts)
 *   prekeys    tag → the mailbox's prekey directory record (lmdb-prekeys.ts)
 * One row an entry: what else the relay needs (duplicates by mailbox and bytes, sizes, retention order) is an
 * index in memory rebuilt from the rows' headers at start, so a deposit and a removal each write one row — the
 * durable commit of a batch of them is what bounds the relay's throughput.
 * Durability as in @herald/store-lmdb: overlappingSync off, so a write resolves
 * only after its commit is fsynced; writes issued together share one commit.
 * A failed commit (a full disk) rejects with a {@link StorageFailure} and is reported to `storage`, which then
 * refuses deposits for a while; the environment stays usable (measured on a full tmpfs: reads, removals and
 * small writes still commit), so nothing is reopened.
 */
export async function lmdbRelayStore(init: LmdbRelayStoreInit): Promise<RelayStore> {
  const { limits, mapSize } = init;
  if (typeof init.dir !== 'string' || init.dir.trim() === '') throw new OptionsError(`lmdbRelayStore: dir: expected a directory path, got ${typeof init.dir === 'string' ? 'an empty string' : typeof init.dir}`);
  if (!Number.isSafeInteger(mapSize) || mapSize <= 0) throw new OptionsError(`lmdbRelayStore: mapSize: expected a positive whole number of bytes, got ${String(mapSize)}`);
  const storage = init.health ?? storageHealth(5_000, () => undefined);
  const dir = resolve(init.dir);
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    throw new OptionsError(`dataDir: cannot create ${dir}: ${error.code ?? error.message}`, { cause: error });
  });
  // eventTurnBatching off: turnBatch below already groups a turn's writes, and lmdb-js's own turn batch holds a
  // promise nobody can observe that rejects when its commit fails: an unhandled rejection that killed the relay.
  const env: RootDatabase = open({ path: dir, noSubdir: false, overlappingSync: false, noSync: false, noMetaSync: false, useWritemap: false, mapAsync: false, cache: false, mapSize, maxDbs: 8, eventTurnBatching: false } as Parameters<typeof open>[0]);
  const mail = env.openDB<Buffer, [string, number]>('mail', { encoding: 'binary' });
  const meta = env.openDB<unknown, string>('meta', {});
  const collected = collectedMailboxes(env.openDB<number, string>('collected', {}));
  const prekeys = lmdbPrekeyDirectory(env, limits.directoryMaxBytes ?? DIRECTORY_MAX_BYTES, async (error) => {
    throw await storageFailure(dir, error);
  });
  const watchesCollection = [limits.uncollectedMailboxMaxEnvelopes, limits.uncollectedMailboxMaxBytes, limits.uncollectedRetentionSeconds].some((value) => value !== undefined);
  const format = meta.get('format');
  if (format !== undefined && format !== FORMAT && format !== 1) {
    await env.close();
    throw new OptionsError(`dataDir: ${dir} holds a relay store of format ${String(format)}; this version reads formats 1 and ${FORMAT}`);
  }
  if (format === 1) await migrateFromFormat1(env, meta);
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
  // lmdb-js must not meet a full disk (see @herald/store-lmdb's free-space.ts): deposits stop short of it.
  const space = await freeSpaceGuard(dir, limits.minFreeBytes ?? 0);
  const counts = mailboxCounts(limits);
  const index = mailIndex();
  let seq = 0;
  for (const key of mail.getKeys({})) {
    const stored = mail.getBinaryFast(key);
    if (stored === undefined || stored.length < HEADER_BYTES) continue;
    const entry = { tag: key[0], seq: key[1], keepUntil: stored.readDoubleBE(0), id: stored.toString('hex', 8, 24), size: stored.length - HEADER_BYTES };
    index.add(entry);
    counts.add(entry.tag, entry.size);
    seq = Math.max(seq, entry.seq);
  }
  /** In-memory guards between a check and its commit: entries being written (with their commit), and being removed. */
  // Keyed by seq, unique across mailboxes (one counter): a number, not a composed `tag:seq` string per lookup.
  const inserting = new Map<number, Promise<void>>();
  const removing = new Set<number>();
  /** Entries whose write still waits for its batch, by entry key: what remove() may take back. */
  const queued = new Map<number, { readonly entry: MailEntry; readonly write: EntryWrite; readonly size: number }>();
  // Deposits and removals of one event-loop turn share one transaction and one fsynced commit.
  const writes = turnBatch((apply) =>
    env.batch(apply).catch(async (error: unknown) => {
      throw await storageFailure(dir, error);
    }),
  );
  /** Whether entry `tag:seq` holds these envelope bytes: read from its queued write, or from its row. */
  const holds = (tag: string, envelope: Uint8Array) => (entrySeq: number): boolean => {
    const held = queued.get(entrySeq)?.entry.bytes ?? mail.getBinary([tag, entrySeq])?.subarray(HEADER_BYTES);
    return held !== undefined && Buffer.from(held.buffer, held.byteOffset, held.byteLength).equals(envelope);
  };

  return {
    relayId: new Uint8Array(relayId),
    usage: counts,
    // Decided at once, from memory and committed data: async for the interface's sake only.
    async deposit({ envelope, tags: named, id, keepUntil, payer }: DepositRequest): Promise<DepositOutcome> {
      const tags = named.length === 1 ? named : [...new Set(named)];
      const size = envelope.length;
      // The same bytes already stored (or being stored) for a mailbox are not stored again: its copy's commit is the answer.
      // Found by message id, then compared byte for byte: no hash of every deposit. The index holds entries from their
      // deposit on; one still being written answers with its commit.
      const earlier: Promise<void>[] = [];
      const fresh = tags.filter((tag) => {
        const copy = index.copyOf(tag, id, holds(tag, envelope));
        const pending = copy === undefined ? undefined : inserting.get(copy);
        if (pending) earlier.push(pending);
        return copy === undefined;
      });
      if (fresh.length === 0) return { outcome: 'duplicate', committed: Promise.all(earlier).then(() => undefined) };
      // After a failed commit, refused at once until the retry time: nothing is written that would fail again.
      const now = Date.now();
      const failure = storage.refusal(now);
      if (failure) return { outcome: 'storage-failed', failure };
      if (!space.admits((size + HEADER_BYTES + ROW_OVERHEAD) * fresh.length)) {
        const low = new StorageFailure(true, `the store's file system is full (${space.free ?? 0} bytes free; deposits stop below ${limits.minFreeBytes ?? 0}, minFreeBytes)`);
        storage.failed(low, now);
        return { outcome: 'storage-failed', failure: low };
      }
      // Mailboxes nobody ever collected, when their quota or retention differs: read once per deposit.
      const uncollected = new Set(watchesCollection ? fresh.filter((tag) => !collected.has(tag)) : []);
      const reserved = counts.reserve(fresh, size, (tag) => uncollected.has(tag));
      if (reserved !== 'ok') return { outcome: reserved };
      const shortKeepUntil = limits.uncollectedRetentionSeconds === undefined ? keepUntil : Math.min(keepUntil, Date.now() + limits.uncollectedRetentionSeconds * 1000);
      // One row for every mailbox kept as long, usually the only one.
      const rows = new Map<number, Buffer>();
      const rowFor = (until: number): Buffer => rows.get(until) ?? rows.set(until, withHeader(envelope, until, id)).get(until)!;
      const depositedAt = Date.now();
      const entries = fresh.map((tag): MailEntry & { row: Buffer } => {
        const entrySeq = ++seq;
        const until = uncollected.has(tag) ? shortKeepUntil : keepUntil;
        const row = rowFor(until);
        index.add({ tag, seq: entrySeq, keepUntil: until, id, size, payer, depositedAt });
        payer?.charge(size);
        return { tag, seq: entrySeq, key: `${tag}:${entrySeq}`, bytes: row.subarray(HEADER_BYTES), row, depositedAt };
      });
      // Through lmdb-js's fast instruction queue, in the next batch (transaction callbacks need a round trip to
      // the writer thread per batch and halved throughput). One write per entry, so each can be taken back alone.
      const entryWrites = entries.map((entry) => entryWrite(writes, () => void mail.put([entry.tag, entry.seq], entry.row)));
      // Durable for the depositor once every entry is written in a committed batch, or acknowledged by its
      // recipient (stored there) before being written here.
      const settled = entryWrites.length === 1 ? entryWrites[0]!.durable : Promise.all(entryWrites.map((write) => write.durable));
      // Settled: no longer being written or queued (in the same reaction, before anyone awaiting the deposit hears).
      const forget = (): void => {
        for (const entry of entries) {
          inserting.delete(entry.seq);
          queued.delete(entry.seq);
        }
      };
      const committed = (earlier.length === 0 ? settled : Promise.all([settled, ...earlier])).then(
        () => {
          forget();
          // Only a write that reached the store shows it takes deposits again (an elided entry never did).
          if (entries.some((entry) => !entry.elided)) storage.committed();
        },
        (error: unknown) => {
          forget();
          if (error instanceof StorageFailure) storage.failed(error, Date.now());
          const unstored = entries.filter((entry) => !entry.elided);
          for (const entry of unstored) index.delete(entry.tag, entry.seq);
          counts.release(
            unstored.map((entry) => entry.tag),
            size,
          );
          throw error;
        },
      );
      entries.forEach((entry, position) => {
        inserting.set(entry.seq, committed);
        queued.set(entry.seq, { entry, write: entryWrites[position]!, size });
      });
      return { outcome: 'stored', entries, committed };
    },
    hold(entry, ms) {
      return queued.get(entry.seq)?.write.hold(ms) ?? false;
    },
    async list(tag, limit, skip) {
      const out: MailEntry[] = [];
      // Keys first, values only for the entries handed out: skipped (in-flight) entries cost a key decode, not a copy.
      for (const key of mail.getKeys({ start: [tag, 0], end: [tag, Number.MAX_SAFE_INTEGER] })) {
        const entryKey = `${tag}:${key[1]}`;
        if (skip(entryKey)) continue;
        const value = mail.getBinary(key);
        if (value === undefined) continue;
        const bytes = new Uint8Array(value.buffer, value.byteOffset + HEADER_BYTES, value.byteLength - HEADER_BYTES);
        out.push({ tag, seq: key[1], key: entryKey, bytes, depositedAt: index.get(tag, key[1])?.depositedAt });
        if (out.length >= limit) break;
      }
      return out;
    },
    async ack(tag, seq) {
      // Acknowledged before its batch started: the recipient holds it durably, so it need never be written.
      const waiting = queued.get(seq);
      if (waiting?.entry.tag === tag && waiting.write.elide()) {
        queued.delete(seq);
        waiting.entry.elided = true;
        index.delete(tag, seq);
        counts.release([tag], waiting.size);
        return true;
      }
      // An entry pushed before its own commit (cut-through) can be acknowledged first: remove it once it exists.
      const pending = inserting.get(seq);
      if (pending && !(await pending.then(() => true, () => false))) return false;
      const [size] = await removeEntries([[tag, seq]]);
      if (size !== undefined) counts.release([tag], size);
      return false;
    },
    markCollected: (tags) => collected.mark(tags),
    putPrekeys: (tag, upload, now) => prekeys.put(tag, upload, now),
    takePrekeys: (tag, now) => prekeys.take(tag, now),
    async openBrokerRecords() {
      // Loaded only when the broker runs (as the broker itself): most relays never open these.
      const { lmdbBrokerRecords } = await import('./lmdb-broker-records.js');
      return lmdbBrokerRecords(join(dir, 'mqtt'), limits.minFreeBytes ?? 0);
    },
    async expire(now, limit) {
      // Entries still queued or being written are left to their commit: purged at the next round if still due.
      const due = index.due(now, limit).filter((entry) => !inserting.has(entry.seq));
      if (due.length === 0) return 0;
      const sizes = await removeEntries(due.map((entry) => [entry.tag, entry.seq]));
      due.forEach((entry, position) => {
        const size = sizes[position];
        if (size !== undefined) counts.release([entry.tag], size);
      });
      return sizes.filter((size) => size !== undefined).length;
    },
    async close() {
      await env.flushed;
      await env.close();
    },
  };

  /**
   * Durably removes entries in one batch; returns each one's envelope size, or undefined for one already gone or
   * being removed (an ack and a purge may race: only one of them counts it).
   */
  async function removeEntries(entries: readonly (readonly [string, number])[]): Promise<(number | undefined)[]> {
    const rows = entries.map(([tag, entrySeq]) => {
      if (removing.has(entrySeq)) return undefined;
      const entry = index.get(tag, entrySeq);
      if (entry === undefined) return undefined;
      removing.add(entrySeq);
      return { entry };
    });
    if (rows.every((row) => row === undefined)) return rows.map(() => undefined);
    const remove = (): void => {
      for (const row of rows) if (row) void mail.remove([row.entry.tag, row.entry.seq]);
    };
    try {
      // Tried twice: a removal sharing its commit with deposits that filled the disk fails with them, and the next
      // commit (deposits are refused by then) needs no new room: LMDB reuses the pages earlier commits freed.
      await writes.add(remove).durable.catch(() => writes.add(remove).durable);
      // Forgotten only once durably gone: until then the same bytes deposited again are still a duplicate of it.
      for (const row of rows) {
        if (!row) continue;
        index.delete(row.entry.tag, row.entry.seq);
        // Room inside the store's file again: on a full disk, this is how collection makes room for deposits.
        space.freed(row.entry.size + HEADER_BYTES + ROW_OVERHEAD);
      }
    } finally {
      for (const row of rows) if (row) removing.delete(row.entry.seq);
    }
    return rows.map((row) => row?.entry.size);
  }
}

/** Format 1 kept expiry and dedup rows beside each mail row; the mail rows are the same, so the indexes are dropped. */
async function migrateFromFormat1(env: RootDatabase, meta: Database<unknown, string>): Promise<void> {
  for (const name of ['expiry', 'dedup']) await env.openDB(name, {}).drop();
  await meta.put('format', FORMAT);
}

/** What a mail row costs beyond its bytes, for the free-space estimate: its key and LMDB's pages. */
const ROW_OVERHEAD = 4096;

/** Bytes before the envelope in a mail row: what the index in memory is rebuilt from at start. */
const HEADER_BYTES = 40;

function withHeader(envelope: Uint8Array, keepUntil: number, id: string): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + envelope.length);
  out.writeDoubleBE(keepUntil, 0);
  out.write(id, 8, 16, 'hex');
  // Reserved, zero. Format 2 relays before this one kept a BLAKE2b-128 of the envelope here; nothing reads it.
  out.fill(0, 24, HEADER_BYTES);
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
