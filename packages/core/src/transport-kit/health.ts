import type { HealthState, TransportEvent, TransportHealth } from '../transport.js';

/** The channel's health, fed by the connection's life, and the subscribers told of each change. */
export interface HealthTracker {
  current(): TransportHealth;
  set(state: HealthState, reason?: string): void;
  moved(at: number): void;
  error(error: Error): void;
  /** Reports the holder's clock: how far it is ahead of this machine's (ms). */
  clock(offsetMs: number): void;
  subscribe(listener: (event: TransportEvent) => void): () => void;
}

export function healthTracker(): HealthTracker {
  const listeners = new Set<(event: TransportEvent) => void>();
  let health: TransportHealth = { state: 'down', reason: 'not started', since: Date.now() };
  const emit = (event: TransportEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // A throwing subscriber must not break the connection loop or other subscribers.
      }
    }
  };
  return {
    current: () => health,
    set(state, reason) {
      if (health.state === state && health.reason === reason) return;
      health = { state, since: Date.now(), ...(reason === undefined ? {} : { reason }), ...(health.lastSuccess === undefined ? {} : { lastSuccess: health.lastSuccess }) };
      emit({ type: 'health', health });
    },
    moved(at) {
      // Many envelopes move in one millisecond: the same time again changes nothing.
      if (health.lastSuccess !== at) health = { ...health, lastSuccess: at };
    },
    error: (error) => emit({ type: 'error', error }),
    clock: (offsetMs) => emit({ type: 'clock', offsetMs }),
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
