import type { KV } from '@nats-io/kv';

/** Collected mailboxes remembered here at most (a mailbox never stops being collected, so this only saves reads). */
const CACHE_LIMIT = 100_000;

/**
 * Which mailboxes were ever collected, in a replicated key-value bucket every relay shares (tag → when first
 * collected): mail for a mailbox first collected through relay A gets the full quota on relay B too.
 */
export interface ClusterCollected {
  has(tag: string): Promise<boolean>;
  /** Resolves once every tag is stored with the bucket's replicas. */
  mark(tags: readonly string[]): Promise<void>;
}

export function collectedMailboxes(bucket: KV): ClusterCollected {
  const known = new Set<string>();
  const remember = (tag: string): void => {
    if (known.size >= CACHE_LIMIT) known.clear();
    known.add(tag);
  };
  return {
    async has(tag) {
      if (known.has(tag)) return true;
      const found = (await bucket.get(tag)) !== null;
      if (found) remember(tag);
      return found;
    },
    async mark(tags) {
      await Promise.all(
        tags.map(async (tag) => {
          if (known.has(tag)) return;
          // Collected for deposits from the call on, not only once stored; forgotten again if the write fails.
          remember(tag);
          try {
            await bucket.put(tag, String(Date.now()));
          } catch (error) {
            known.delete(tag);
            throw error;
          }
        }),
      );
    },
  };
}
