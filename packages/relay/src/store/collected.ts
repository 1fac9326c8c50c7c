import type { Database } from 'lmdb';

/**
 * Which mailboxes have ever been collected here: a row per routing tag (the time it was first collected), kept in
 * the store so a restart remembers. Mail for a mailbox nobody ever collected — a new contact's first message, or
 * junk sent to made-up tags — is held with a smaller quota and a shorter retention (init's uncollected… options).
 * Read from the store (a memory-mapped read), so memory does not grow with the mailboxes; the mailboxes lately found
 * collected are remembered in a bounded set, as a mark is never taken back: a connected recipient's deposits cost no
 * read each.
 */
export interface CollectedMailboxes {
  has(tag: string): boolean;
  /** Records that these mailboxes were collected (a client proved it owns them): at once for `has`, durable when it resolves. */
  mark(tags: readonly string[]): Promise<void>;
}

/** At most this many collected mailboxes remembered in memory (about 1.5 MiB of tag strings). */
const KNOWN_MAX = 16_384;

export function collectedMailboxes(table: Database<number, string>): CollectedMailboxes {
  /** Marks being written: already collected for deposits meanwhile. */
  const writing = new Set<string>();
  /** Mailboxes found collected lately (a cache of the table, cleared whole when full). */
  const known = new Set<string>();
  const has = (tag: string): boolean => {
    if (known.has(tag) || writing.has(tag)) return true;
    if (table.get(tag) === undefined) return false;
    if (known.size >= KNOWN_MAX) known.clear();
    known.add(tag);
    return true;
  };
  return {
    has,
    async mark(tags) {
      const writes: Promise<unknown>[] = [];
      for (const tag of tags) {
        if (has(tag)) continue;
        writing.add(tag);
        writes.push(table.put(tag, Date.now()).finally(() => writing.delete(tag)));
      }
      await Promise.all(writes);
    },
  };
}
