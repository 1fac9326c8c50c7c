/**
 * What the relay keeps in memory about every stored entry, so that a deposit
 * and a removal each touch one row on disk (the `mail` row) instead of three:
 * which message ids a mailbox already holds (to find a repeated deposit of the
 * same bytes: duplicates are stored once), each entry's size and retention,
 * and the order in which entries fall due.
 * Rebuilt from the mail rows' headers at start; bounded by the relay's
 * `maxStoredEnvelopes` (every entry here is a stored or queued one).
 */
export interface IndexedEntry {
  readonly tag: string;
  readonly seq: number;
  readonly keepUntil: number;
  /** The envelope's message id, hex (read from its outer header: derived from its ephemeral key). */
  readonly id: string;
  readonly size: number;
  /** Who pays for the entry (depositor accounts): released when it is forgotten. */
  readonly payer?: { release(size: number): void } | undefined;
  /** When it was deposited (ms), for the latency histograms; unknown for entries loaded from the store at start. */
  readonly depositedAt?: number;
}

export interface MailIndex {
  /**
   * The seq of the entry of this mailbox with this message id for which `sameBytes` holds, if any. At most
   * MAX_COMPARED_COPIES entries are compared (see there).
   */
  copyOf(tag: string, id: string, sameBytes: (seq: number) => boolean): number | undefined;
  add(entry: IndexedEntry): void;
  get(tag: string, seq: number): IndexedEntry | undefined;
  /** Forgets an entry; returns it, or undefined when it was not indexed. */
  delete(tag: string, seq: number): IndexedEntry | undefined;
  /** Up to `limit` entries kept until before `now`, in no particular order. */
  due(now: number, limit: number): IndexedEntry[];
  readonly size: number;
}

/**
 * An honest sender's envelopes never share a message id (it is derived from a fresh ephemeral key), so a
 * mailbox holds one entry per id unless another recipient of an envelope deposits different bytes under its
 * id (threat model section 9). Such entries are all kept; a deposit compares its bytes with at most this many
 * of them, so flooding one id costs the relay bounded work per deposit. Past that, a repeated deposit may be
 * stored twice, which the recipient's node drops as a duplicate: never a loss.
 */
export const MAX_COMPARED_COPIES = 4;

/** Entries fall due by the minute: purging walks the minutes that have passed, not every entry. */
const BUCKET_MS = 60_000;

export function mailIndex(): MailIndex {
  // By seq (unique across mailboxes: one counter), so the maps hold small integers rather than composed strings.
  const entries = new Map<number, IndexedEntry>();
  // By mailbox, then id (the entry's own id string is the key: nothing composed per entry). A Set once there are
  // several: a flood of one id is cheap to add to and remove from.
  const copies = new Map<string, Map<string, number | Set<number>>>();
  const buckets = new Map<number, Set<number>>();
  return {
    copyOf(tag, id, sameBytes) {
      const found = copies.get(tag)?.get(id);
      if (found === undefined) return undefined;
      if (typeof found === 'number') return sameBytes(found) ? found : undefined;
      let compared = 0;
      for (const seq of found) {
        if (sameBytes(seq)) return seq;
        if (++compared >= MAX_COMPARED_COPIES) return undefined;
      }
      return undefined;
    },
    add(entry) {
      entries.set(entry.seq, entry);
      let mailbox = copies.get(entry.tag);
      if (!mailbox) copies.set(entry.tag, (mailbox = new Map()));
      const found = mailbox.get(entry.id);
      if (found === undefined) mailbox.set(entry.id, entry.seq);
      else if (typeof found === 'number') mailbox.set(entry.id, new Set([found, entry.seq]));
      else found.add(entry.seq);
      const minute = Math.floor(entry.keepUntil / BUCKET_MS);
      let bucket = buckets.get(minute);
      if (!bucket) buckets.set(minute, (bucket = new Set()));
      bucket.add(entry.seq);
    },
    get(tag, seq) {
      const entry = entries.get(seq);
      return entry?.tag === tag ? entry : undefined;
    },
    delete(tag, seq) {
      const entry = entries.get(seq);
      if (entry?.tag !== tag) return undefined;
      entries.delete(seq);
      const mailbox = copies.get(tag);
      const found = mailbox?.get(entry.id);
      if (found === seq) mailbox!.delete(entry.id);
      else if (typeof found === 'object') {
        found.delete(seq);
        if (found.size === 1) mailbox!.set(entry.id, found.values().next().value!);
      }
      if (mailbox?.size === 0) copies.delete(tag);
      const minute = Math.floor(entry.keepUntil / BUCKET_MS);
      const bucket = buckets.get(minute);
      bucket?.delete(seq);
      if (bucket?.size === 0) buckets.delete(minute);
      entry.payer?.release(entry.size);
      return entry;
    },
    due(now, limit) {
      const out: IndexedEntry[] = [];
      const last = Math.floor(now / BUCKET_MS);
      for (const [minute, bucket] of buckets) {
        if (minute > last) continue;
        for (const seq of bucket) {
          const entry = entries.get(seq);
          if (entry && entry.keepUntil < now) out.push(entry);
          if (out.length >= limit) return out;
        }
      }
      return out;
    },
    get size() {
      return entries.size;
    },
  };
}
