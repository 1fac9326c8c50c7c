import { CapacityError, OptionsError } from './errors.js';

/**
 * Remembers message ids until they expire, so a replayed envelope is refused.
 * `add` returns true when the id was new and is now recorded, false when it was
 * already there. A durable implementation lives in the store packages.
 */
export interface SeenSet {
  add(id: string, expiresAtMs: number): boolean | Promise<boolean>;
}

export interface MemorySeenSetInit {
  /** Most ids held at once. Default 1,000,000 (about 100 MB). When full of unexpired ids, `add` throws CAPACITY_EXCEEDED rather than forget one and reopen a replay window. */
  readonly maxEntries?: number;
  /** Clock in ms since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

export function memorySeenSet(init: MemorySeenSetInit = {}): SeenSet & { readonly size: number } {
  const maxEntries = init.maxEntries ?? 1_000_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new OptionsError(`maxEntries: expected a positive integer, got ${String(init.maxEntries)}`);
  const now = init.now ?? Date.now;
  const expiries = new Map<string, number>();

  function prune(): void {
    const time = now();
    for (const [id, expiresAt] of expiries) if (expiresAt < time) expiries.delete(id);
  }

  return {
    get size() {
      return expiries.size;
    },
    add(id, expiresAtMs) {
      const known = expiries.get(id);
      if (known !== undefined && known >= now()) return false;
      if (known === undefined && expiries.size >= maxEntries) {
        prune();
        if (expiries.size >= maxEntries) throw new CapacityError(`seen-set holds ${maxEntries} unexpired ids`);
      }
      expiries.set(id, expiresAtMs);
      return true;
    },
  };
}
