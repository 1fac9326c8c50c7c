/**
 * What the relay keeps in memory about every stored entry, so that a deposit
 * and a removal each touch one row on disk (the `mail` row) instead of three:
 * which bytes a mailbox already holds (duplicates are stored once), each
 * entry's size and retention, and the order in which entries fall due.
 * Rebuilt from the mail rows' headers at start; bounded by the relay's
 * `maxStoredEnvelopes` (every entry here is a stored or queued one).
 */
export interface IndexedEntry {
  readonly tag: string;
  readonly seq: number;
  readonly keepUntil: number;
  /** BLAKE2b-128 of the envelope bytes, hex. */
  readonly hash: string;
  readonly size: number;
}

export interface MailIndex {
  /** The seq of the entry holding these bytes in this mailbox, if any. */
  copyOf(tag: string, hash: string): number | undefined;
  add(entry: IndexedEntry): void;
  get(tag: string, seq: number): IndexedEntry | undefined;
  /** Forgets an entry; returns it, or undefined when it was not indexed. */
  delete(tag: string, seq: number): IndexedEntry | undefined;
  /** Up to `limit` entries kept until before `now`, in no particular order. */
  due(now: number, limit: number): IndexedEntry[];
  readonly size: number;
}

/** Entries fall due by the minute: purging walks the minutes that have passed, not every entry. */
const BUCKET_MS = 60_000;

export function mailIndex(): MailIndex {
  // By seq (unique across mailboxes: one counter), so the maps hold small integers rather than composed strings.
  const entries = new Map<number, IndexedEntry>();
  // By hash alone: a copy of the same bytes in several mailboxes (one envelope, several recipients) shares it.
  const copies = new Map<string, number | number[]>();
  const buckets = new Map<number, Set<number>>();
  const copiesOf = (hash: string): readonly number[] => {
    const found = copies.get(hash);
    return found === undefined ? [] : typeof found === 'number' ? [found] : found;
  };
  return {
    copyOf: (tag, hash) => copiesOf(hash).find((seq) => entries.get(seq)?.tag === tag),
    add(entry) {
      entries.set(entry.seq, entry);
      const found = copies.get(entry.hash);
      if (found === undefined) copies.set(entry.hash, entry.seq);
      else if (typeof found === 'number') copies.set(entry.hash, [found, entry.seq]);
      else found.push(entry.seq);
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
      const others = copiesOf(entry.hash).filter((other) => other !== seq);
      if (others.length === 0) copies.delete(entry.hash);
      else copies.set(entry.hash, others.length === 1 ? others[0]! : others);
      const minute = Math.floor(entry.keepUntil / BUCKET_MS);
      const bucket = buckets.get(minute);
      bucket?.delete(seq);
      if (bucket?.size === 0) buckets.delete(minute);
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
