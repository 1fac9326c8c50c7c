/**
 * Small bounded memories of the collector, keyed by mail (UIDVALIDITY:UID).
 * When full the oldest entry is forgotten. Forgetting is safe: at worst a mail
 * is examined again, retried sooner or offered again (the node deduplicates by
 * message id), so no mailbox content can make memory grow without bound.
 */
export interface BoundedMap<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
  clear(): void;
  readonly size: number;
}

export function boundedMap<V>(limit: number): BoundedMap<V> {
  const entries = new Map<string, V>();
  return {
    get: (key) => entries.get(key),
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      while (entries.size > limit) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
    delete: (key) => void entries.delete(key),
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
  };
}

export interface Backoff {
  /** True while the mail is waiting out its backoff. */
  blocked(name: string, now: number): boolean;
  /** The node refused the envelope: wait twice as long as last time, up to the ceiling. Returns the delay. */
  failed(name: string, now: number): number;
  cleared(name: string): void;
}

export function backoff(baseMs: number, maxMs: number, limit: number): Backoff {
  const table = boundedMap<{ failures: number; notBefore: number }>(limit);
  return {
    blocked(name, now) {
      const entry = table.get(name);
      return entry !== undefined && entry.notBefore > now;
    },
    failed(name, now) {
      const failures = (table.get(name)?.failures ?? 0) + 1;
      const delay = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
      table.set(name, { failures, notBefore: now + delay });
      return delay;
    },
    cleared: (name) => table.delete(name),
  };
}
