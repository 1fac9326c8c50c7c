import type { Packet, QueuedEntry, Subscription } from '../mqtt/sessions.js';

/** What the embedded broker's records hold when it starts. */
export interface BrokerSnapshot {
  readonly subscriptions: readonly Subscription[];
  /** Queued copies, in each client's order (`seq`); `from` is '' in records of versions that kept no publisher. */
  readonly queued: readonly QueuedEntry[];
  /** When each client holding a session was last connected (ms). */
  readonly seen: ReadonlyMap<string, number>;
}

/**
 * What the embedded MQTT broker persists (mqtt/persistence.ts keeps the rest in memory): its sessions'
 * subscriptions, the QoS 1 copies queued for them, and when each session's client was last connected. Opened from
 * the relay's store ({@link RelayStore.openBrokerRecords}); every promise resolves once the change is durable.
 */
export interface BrokerRecords {
  /** Everything stored: read once, at the broker's start. */
  load(): Promise<BrokerSnapshot>;
  /** Adds and removes one client's subscriptions, together. */
  storeSubscriptions(clientId: string, added: readonly Subscription[], removed: readonly string[]): Promise<void>;
  /**
   * Stores queued copies, all or none: the broker PUBACKs their publish only once this resolves. Rejects with a
   * QueueFullError (nothing stored) when the store has no room for them (e.g. its disk is nearly full).
   */
  storeQueued(entries: readonly QueuedEntry[]): Promise<void>;
  /** A copy was delivered (or its session ended); a missing one is no error. */
  dropQueued(clientId: string, seq: number): Promise<void>;
  storeSeen(clientId: string, at: number): Promise<void>;
  dropSeen(clientId: string): Promise<void>;
  /** Waits for writes under way and releases the records (not the relay's store). */
  close(): Promise<void>;
}

export type { Packet, QueuedEntry, Subscription };
