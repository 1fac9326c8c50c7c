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
  const entries = new Map<string, IndexedEntry>();
  const copies = new Map<string, number>();
  const buckets = new Map<number, Set<string>>();
  const entryKey = (tag: string, seq: number): string => `${tag}:${seq}`;
  const copyKey = (tag: string, hash: string): string => `${tag}:${hash}`;
  return {
    copyOf: (tag, hash) => copies.get(copyKey(tag, hash)),
    add(entry) {
      const key = entryKey(entry.tag, entry.seq);
      entries.set(key, entry);
      copies.set(copyKey(entry.tag, entry.hash), entry.seq);
      const minute = Math.floor(entry.keepUntil / BUCKET_MS);
      let bucket = buckets.get(minute);
      if (!bucket) buckets.set(minute, (bucket = new Set()));
      bucket.add(key);
    },
    get: (tag, seq) => entries.get(entryKey(tag, seq)),
    delete(tag, seq) {
      const key = entryKey(tag, seq);
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      const copy = copyKey(tag, entry.hash);
      if (copies.get(copy) === seq) copies.delete(copy);
      const minute = Math.floor(entry.keepUntil / BUCKET_MS);
      const bucket = buckets.get(minute);
      bucket?.delete(key);
      if (bucket?.size === 0) buckets.delete(minute);
      return entry;
    },
    due(now, limit) {
      const out: IndexedEntry[] = [];
      const last = Math.floor(now / BUCKET_MS);
      for (const [minute, bucket] of buckets) {
        if (minute > last) continue;
        for (const key of bucket) {
          const entry = entries.get(key);
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
