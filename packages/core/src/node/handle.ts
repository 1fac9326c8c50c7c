import type { OutboundStatus, OutboxRecord } from '../store.js';
import { TERMINAL } from './records.js';

export interface StatusChange {
  readonly id: string;
  readonly status: OutboundStatus;
  /** The channel that accepted the message (for `accepted`). */
  readonly channel?: string;
  readonly failure?: { readonly code: string; readonly message: string };
  readonly at: number;
}

/** The sending application's view of one message: queued → accepted → delivered, or expired / failed. */
export interface SendHandle {
  readonly id: string;
  readonly status: OutboundStatus;
  /** Calls `listener` on every later status change; returns the unsubscribe function. */
  onStatus(listener: (change: StatusChange) => void): () => void;
  /** Resolves with the final status (delivered, expired or failed), or the current one if `signal` aborts first. */
  settled(options?: { signal?: AbortSignal }): Promise<OutboundStatus>;
}

const RECENT_STATUSES = 10_000;

export interface HandleRegistry {
  handle(id: string, initial: OutboundStatus): SendHandle;
  emit(change: StatusChange): void;
}

/** Handles by id; listeners live only while subscribed, and recent statuses are bounded. */
export function handleRegistry(current: (id: string) => OutboxRecord | undefined): HandleRegistry {
  const listeners = new Map<string, Set<(change: StatusChange) => void>>();
  const lastStatus = new Map<string, OutboundStatus>();

  function subscribe(id: string, listener: (change: StatusChange) => void): () => void {
    let set = listeners.get(id);
    if (!set) listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) listeners.delete(id);
    };
  }

  return {
    emit(change) {
      lastStatus.delete(change.id);
      lastStatus.set(change.id, change.status);
      // Remember recent outcomes for handles nobody listens to; the store keeps the full history.
      if (lastStatus.size > RECENT_STATUSES) lastStatus.delete(lastStatus.keys().next().value as string);
      for (const listener of [...(listeners.get(change.id) ?? [])]) listener(change);
    },
    handle(id, initial) {
      let known: OutboundStatus = initial;
      const statusNow = (): OutboundStatus => current(id)?.status ?? lastStatus.get(id) ?? known;
      return {
        id,
        get status() {
          return statusNow();
        },
        onStatus: (listener) =>
          subscribe(id, (change) => {
            known = change.status;
            listener(change);
          }),
        settled(options = {}) {
          const now = statusNow();
          if (TERMINAL.has(now)) return Promise.resolve(now);
          return new Promise((resolve) => {
            const finish = (status: OutboundStatus): void => {
              unsubscribe();
              options.signal?.removeEventListener('abort', onAbort);
              resolve(status);
            };
            const onAbort = (): void => finish(statusNow());
            const unsubscribe = subscribe(id, (change) => {
              known = change.status;
              if (TERMINAL.has(change.status)) finish(change.status);
            });
            options.signal?.addEventListener('abort', onAbort, { once: true });
            if (options.signal?.aborted) onAbort();
          });
        },
      };
    },
  };
}
