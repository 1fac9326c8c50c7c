/**
 * Small bounded memories for a channel's reader (keyed by spool file, by mail,
 * …). When full the oldest entry is forgotten. A channel uses them only where
 * forgetting is safe (at worst an item is examined again, retried sooner or
 * offered again, and the node deduplicates), so no content of the medium can
 * make the reader's memory grow without bound.
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

/** Per item, how long to wait before offering the node an item it refused again. */
export interface RefusalBackoff {
  /** True while the item is waiting out its backoff. */
  blocked(key: string, now: number): boolean;
  /** The node refused the item: wait twice as long as last time, up to the ceiling. Returns the delay. */
  failed(key: string, now: number): number;
  cleared(key: string): void;
}

export function refusalBackoff(baseMs: number, maxMs: number, limit: number): RefusalBackoff {
  const table = boundedMap<{ failures: number; notBefore: number }>(limit);
  return {
    blocked(key, now) {
      const entry = table.get(key);
      return entry !== undefined && entry.notBefore > now;
    },
    failed(key, now) {
      const failures = (table.get(key)?.failures ?? 0) + 1;
      const delay = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
      table.set(key, { failures, notBefore: now + delay });
      return delay;
    },
    cleared: (key) => table.delete(key),
  };
}
