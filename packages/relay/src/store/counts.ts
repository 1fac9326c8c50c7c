/**
 * Envelopes and bytes per mailbox and in total, kept in memory (rebuilt from the
 * mail rows at start). A deposit reserves its room before the write, so
 * deposits committed together cannot overshoot a quota between them.
 */
export interface MailboxCounts {
  /** `uncollected`: the mailboxes nobody ever collected, held to the smaller uncollected… quota when it is set. */
  reserve(tags: readonly string[], size: number, uncollected?: (tag: string) => boolean): 'ok' | 'mailbox-full' | 'relay-full';
  add(tag: string, size: number): void;
  release(tags: readonly string[], size: number): void;
  readonly envelopes: number;
  readonly bytes: number;
  readonly mailboxes: number;
}

export function mailboxCounts(limits: { mailboxMaxEnvelopes: number; mailboxMaxBytes: number; maxStoredBytes: number; maxStoredEnvelopes: number; uncollectedMailboxMaxEnvelopes?: number; uncollectedMailboxMaxBytes?: number }): MailboxCounts {
  const perTag = new Map<string, { envelopes: number; bytes: number }>();
  let envelopes = 0;
  let bytes = 0;
  const add = (tag: string, size: number): void => {
    const entry = perTag.get(tag) ?? { envelopes: 0, bytes: 0 };
    entry.envelopes++;
    entry.bytes += size;
    perTag.set(tag, entry);
    envelopes++;
    bytes += size;
  };
  return {
    reserve(tags, size, uncollected) {
      if (bytes + size * tags.length > limits.maxStoredBytes || envelopes + tags.length > limits.maxStoredEnvelopes) return 'relay-full';
      for (const tag of tags) {
        const small = uncollected?.(tag) === true;
        const maxEnvelopes = small ? (limits.uncollectedMailboxMaxEnvelopes ?? limits.mailboxMaxEnvelopes) : limits.mailboxMaxEnvelopes;
        const maxBytes = small ? (limits.uncollectedMailboxMaxBytes ?? limits.mailboxMaxBytes) : limits.mailboxMaxBytes;
        const entry = perTag.get(tag) ?? { envelopes: 0, bytes: 0 };
        if (entry.envelopes + 1 > maxEnvelopes || entry.bytes + size > maxBytes) return 'mailbox-full';
      }
      for (const tag of tags) add(tag, size);
      return 'ok';
    },
    add,
    release(tags, size) {
      for (const tag of tags) {
        const entry = perTag.get(tag);
        if (!entry) continue;
        entry.envelopes--;
        entry.bytes -= size;
        envelopes--;
        bytes -= size;
        // Empty mailboxes are forgotten, so the map only holds tags with mail.
        if (entry.envelopes <= 0) perTag.delete(tag);
      }
    },
    get envelopes() {
      return envelopes;
    },
    get bytes() {
      return bytes;
    },
    get mailboxes() {
      return perTag.size;
    },
  };
}
