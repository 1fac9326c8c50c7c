import type { AttemptRecord, HeraldStore, OutboxRecord } from '../store.js';

export const MAX_ATTEMPTS_KEPT = 32;
export const TERMINAL = new Set(['delivered', 'expired', 'failed']);

/**
 * The node's view of its outbox: a cache of live records in front of the store,
 * with updates to one record serialised so concurrent writers (the dispatcher,
 * an arriving ack) never lose each other's changes. Each update is durable
 * before its promise resolves.
 */
export interface OutboxRecords {
  get(id: string): OutboxRecord | undefined;
  put(record: OutboxRecord): Promise<void>;
  update(id: string, change: (record: OutboxRecord) => OutboxRecord | undefined): Promise<OutboxRecord | undefined>;
  load(): Promise<OutboxRecord[]>;
  forget(id: string): void;
}

export function outboxRecords(store: HeraldStore): OutboxRecords {
  const live = new Map<string, OutboxRecord>();
  const chains = new Map<string, Promise<unknown>>();

  function serialised<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = chains.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    chains.set(id, settled);
    void settled.then(() => {
      if (chains.get(id) === settled) chains.delete(id);
    });
    return next;
  }

  return {
    get: (id) => live.get(id),
    put(record) {
      return serialised(record.id, async () => {
        await store.putOutbox(record);
        live.set(record.id, record);
      });
    },
    update(id, change) {
      return serialised(id, async () => {
        const current = live.get(id) ?? (await store.getOutbox(id));
        if (!current) return undefined;
        const next = change(current);
        if (!next || next === current) return current;
        await store.putOutbox(next);
        live.set(id, next);
        return next;
      });
    },
    async load() {
      const records = await store.listOutbox();
      for (const record of records) if (!TERMINAL.has(record.status)) live.set(record.id, record);
      return records;
    },
    forget(id) {
      live.delete(id);
    },
  };
}

export function withAttempt(record: OutboxRecord, attempt: AttemptRecord): OutboxRecord {
  const attempts = [...record.attempts, attempt].slice(-MAX_ATTEMPTS_KEPT);
  return { ...record, attempts, updatedAt: attempt.at };
}
