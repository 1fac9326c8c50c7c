/**
 * Small bounded memories of the reader, keyed by spool file name. When full
 * the oldest entry is forgotten; forgetting is always safe here (at worst a
 * file is retried sooner, or an error reported twice), so no folder content
 * can make the reader's memory grow without bound.
 */
export interface BoundedMap<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
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
    get size() {
      return entries.size;
    },
  };
}

export interface Backoff {
  /** True while the file is waiting out its backoff. */
  blocked(name: string, now: number): boolean;
  /** The node refused the file: wait twice as long as last time, up to the ceiling. Returns the delay. */
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
