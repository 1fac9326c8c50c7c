import type { OutboundStatus } from '../store.js';
import type { NodeEvents } from './events.js';
import type { HandleRegistry, StatusChange } from './handle.js';
import { TERMINAL, type OutboxRecords } from './records.js';

export interface StatusDetail {
  readonly channel?: string;
  readonly failure?: { code: string; message: string };
}

/**
 * Where an outbox record's status changes are made durable and told: to its
 * handles, to the node's subscribers, and to the dispatcher waiting on it.
 */
export interface StatusBoard {
  /** Moves a record to `status` unless it is there already or finished; durable before it resolves. */
  set(id: string, status: OutboundStatus, detail?: StatusDetail): Promise<void>;
  /** Tells everyone of a change already written (a held message sealed, `queued`). */
  announce(change: StatusChange): void;
  /** Registers a wake-up for when the record changes; returns the unregister function. */
  onChange(id: string, wake: () => void): () => void;
  /** Wakes every waiting dispatcher (the node is stopping). */
  wakeAll(): void;
}

export function statusBoard(records: OutboxRecords, handles: HandleRegistry, events: NodeEvents): StatusBoard {
  const wakers = new Map<string, Set<() => void>>();
  const notify = (id: string): void => {
    for (const wake of [...(wakers.get(id) ?? [])]) wake();
  };
  const announce = (change: StatusChange): void => {
    handles.emit(change);
    events.emit({ type: 'status', ...change });
    notify(change.id);
  };
  return {
    announce,
    async set(id, status, detail = {}) {
      const at = Date.now();
      const updated = await records.update(id, (record) => (record.status === status || TERMINAL.has(record.status) ? undefined : { ...record, status, updatedAt: at, ...(detail.failure ? { failure: detail.failure } : {}) }));
      if (!updated || updated.status !== status) return;
      if (TERMINAL.has(status)) records.forget(id);
      announce({ id, status, at, ...(detail.channel ? { channel: detail.channel } : {}), ...(detail.failure ? { failure: detail.failure } : {}) });
    },
    onChange(id, wake) {
      let set = wakers.get(id);
      if (!set) wakers.set(id, (set = new Set()));
      set.add(wake);
      return () => {
        set.delete(wake);
        if (set.size === 0) wakers.delete(id);
      };
    },
    wakeAll() {
      for (const set of [...wakers.values()]) for (const wake of [...set]) wake();
    },
  };
}
