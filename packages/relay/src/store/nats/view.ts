import { mailboxCounts, type MailboxCounts } from '../counts.js';
import { mailIndex, type MailIndex } from '../mail-index.js';
import type { EntryCharge, MailboxLimits } from '../relay-store.js';
import type { EntryHeader } from './entry-headers.js';

/** One entry as this relay learned it: from the stream's tail, or from its own deposit's acknowledgement. */
export interface LearnedEntry extends EntryHeader {
  readonly tag: string;
  readonly seq: number;
  readonly size: number;
}

/**
 * This relay's view of the mail stream, in memory: which entries each mailbox holds (in seq order), their ids,
 * hashes, sizes and retention, and the counts the quotas read. Built from the stream's tail at start and kept up
 * by it; entries removed through another relay stay here until this relay meets them gone (a listing, an expiry),
 * so its counts may run a little high, never low. Bounded like the LMDB store's index: by maxStoredEnvelopes.
 */
export interface StreamView {
  readonly index: MailIndex;
  readonly counts: MailboxCounts;
  /** The entry of this mailbox with this message id and these bytes (by hash), if any. */
  copyOf(tag: string, id: string, hash: string): number | undefined;
  /**
   * Adds (and counts, and charges to `payer`) an entry unless it is known or was removed lately; says whether it
   * did. Learned by whichever comes first — the tail, or the deposit's acknowledgement — and only once.
   */
  learn(entry: LearnedEntry, payer: EntryCharge | undefined): boolean;
  /** Forgets an entry (removed or found gone); returns its size, or undefined when it was not known. */
  forget(tag: string, seq: number): number | undefined;
  /** The seqs of one mailbox's entries, oldest first. */
  seqs(tag: string): Iterable<number>;
}

/**
 * How long a removed entry's seq is remembered: the tail, or a deposit's late acknowledgement, may still bring
 * it (both come within a request timeout of the write), and it must not come back.
 */
const REMEMBER_REMOVED_MS = 120_000;

export function streamView(limits: MailboxLimits): StreamView {
  const index = mailIndex();
  const counts = mailboxCounts(limits);
  const hashes = new Map<number, string>();
  const byTag = new Map<string, Set<number>>();
  /** Seqs removed lately, with when (insertion order is time order). */
  const removed = new Map<number, number>();
  return {
    index,
    counts,
    copyOf: (tag, id, hash) => index.copyOf(tag, id, (seq) => hashes.get(seq) === hash),
    learn(entry, payer) {
      if (removed.has(entry.seq) || index.get(entry.tag, entry.seq) !== undefined) return false;
      index.add({ tag: entry.tag, seq: entry.seq, keepUntil: entry.keepUntil, id: entry.id, size: entry.size, payer, depositedAt: entry.depositedAt });
      payer?.charge(entry.size);
      hashes.set(entry.seq, entry.hash);
      let seqs = byTag.get(entry.tag);
      if (!seqs) byTag.set(entry.tag, (seqs = new Set()));
      seqs.add(entry.seq);
      counts.add(entry.tag, entry.size);
      return true;
    },
    forget(tag, seq) {
      const now = Date.now();
      removed.set(seq, now);
      for (const [old, at] of removed) {
        if (now - at < REMEMBER_REMOVED_MS) break;
        removed.delete(old);
      }
      const entry = index.delete(tag, seq);
      if (!entry) return undefined;
      hashes.delete(seq);
      const seqs = byTag.get(tag);
      seqs?.delete(seq);
      if (seqs?.size === 0) byTag.delete(tag);
      counts.release([tag], entry.size);
      return entry.size;
    },
    seqs: (tag) => byTag.get(tag) ?? [],
  };
}
