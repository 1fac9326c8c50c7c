import type { Database } from 'lmdb';

/**
 * Which mailboxes have ever been collected here: a row per routing tag (the time it was first collected), kept in
 * the store so a restart remembers. Mail for a mailbox nobody ever collected — a new contact's first message, or
 * junk sent to made-up tags — is held with a smaller quota and a shorter retention (init's uncollected… options).
 * Read from the store on each deposit (a memory-mapped read), so memory does not grow with the mailboxes.
 */
export interface CollectedMailboxes {
  has(tag: string): boolean;
  /** Records that these mailboxes were collected (a client proved it owns them): at once for `has`, durable when it resolves. */
  mark(tags: readonly string[]): Promise<void>;
}

export function collectedMailboxes(table: Database<number, string>): CollectedMailboxes {
  /** Marks being written: already collected for deposits meanwhile. */
  const writing = new Set<string>();
  const has = (tag: string): boolean => writing.has(tag) || table.get(tag) !== undefined;
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
