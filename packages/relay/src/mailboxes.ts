import { mkdir, open as openFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { randomFillSync } from 'node:crypto';
import { OptionsError } from '@herald/core';
import { sodium } from './sodium.js';
import { mailboxCounts, type MailboxCounts } from './counts.js';

/** One stored envelope in one mailbox. `key` names it across connections (`tag:seq`). */
export interface MailEntry {
  readonly tag: string;
  readonly seq: number;
  readonly key: string;
  readonly bytes: Uint8Array;
}

export type DepositOutcome = 'stored' | 'duplicate' | 'mailbox-full' | 'relay-full';

export interface MailboxStore {
  /** 16 random bytes made at the first start and kept: the relay's name in CHALLENGE frames. */
  readonly relayId: Uint8Array;
  readonly counts: MailboxCounts;
  /** Stores the envelope in every listed mailbox in one durable transaction (or in none). */
  deposit(envelope: Uint8Array, tags: readonly string[], id: string, keepUntil: number): Promise<DepositOutcome>;
  /** Up to `limit` entries of one mailbox, oldest first, leaving out those `skip` names. Committed data only. */
  list(tag: string, limit: number, skip: (key: string) => boolean): MailEntry[];
  /** Durably removes an entry (acknowledged by its recipient); a missing entry is no error. */
  remove(tag: string, seq: number): Promise<void>;
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
  const hashOf = (envelope: Uint8Array): string => Buffer.from(sodium.crypto_generichash(16, envelope, null)).toString('hex');

  return {
    relayId: new Uint8Array(relayId),
    counts,
    async deposit(envelope, tags, id, keepUntil) {
      tags = [...new Set(tags)];
      const hash = hashOf(envelope);
      const size = envelope.length;
      const reserved = counts.reserve(tags, size);
      if (reserved !== 'ok') return reserved;
      const seqs = tags.map(() => ++seq);
      const bytes = withHeader(envelope, keepUntil, id, hash);
      let stored: boolean[];
      try {
        stored = await env.transaction(() =>
          tags.map((tag, index) => {
            if (dedup.doesExist([tag, id, hash])) return false;
            const entrySeq = seqs[index]!;
            mail.put([tag, entrySeq], bytes);
            expiry.put([keepUntil, tag, entrySeq], size);
            dedup.put([tag, id, hash], entrySeq);
            return true;
          }),
        );
      } catch (error) {
        counts.release(tags, size);
        throw error;
      }
      // Reservations of mailboxes that already held these exact bytes are given back.
      const duplicates = tags.filter((_, index) => !stored[index]);
      if (duplicates.length > 0) counts.release(duplicates, size);
      return duplicates.length === tags.length ? 'duplicate' : 'stored';
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
      const removed = await env.transaction(() => removeEntry(tag, seq));
      if (removed !== undefined) counts.release([tag], removed);
    },
    async purge(now, limit) {
      const due: [number, string, number][] = [];
      for (const key of expiry.getKeys({ end: [now, '', 0], limit })) due.push(key);
      if (due.length === 0) return 0;
      const sizes = await env.transaction(() => due.map(([, tag, entrySeq]) => removeEntry(tag, entrySeq)));
      due.forEach(([, tag], index) => {
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

  /** Inside a write transaction: removes the entry and its index rows; returns its envelope size, or undefined if it was gone. */
  function removeEntry(tag: string, entrySeq: number): number | undefined {
    const stored = mail.getBinary([tag, entrySeq]);
    if (stored === undefined) return undefined;
    const header = new DataView(stored.buffer, stored.byteOffset, HEADER_BYTES);
    const keepUntil = header.getFloat64(0);
    const id = Buffer.from(stored.subarray(8, 24)).toString('hex');
    const hash = Buffer.from(stored.subarray(24, 40)).toString('hex');
    mail.remove([tag, entrySeq]);
    expiry.remove([keepUntil, tag, entrySeq]);
    dedup.remove([tag, id, hash]);
    return stored.length - HEADER_BYTES;
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
