import type { HealthState, TransportEvent, TransportHealth } from '@herald/core';

/** A channel's health and its subscribers; listeners that throw are ignored. */
export interface Health {
  current(): TransportHealth;
  set(state: HealthState, reason?: string): void;
  moved(at: number): void;
  error(error: Error): void;
  subscribe(listener: (event: TransportEvent) => void): () => void;
}

export function health(): Health {
  const listeners = new Set<(event: TransportEvent) => void>();
  let current: TransportHealth = { state: 'down', reason: 'not started', since: Date.now() };
  const emit = (event: TransportEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // A faulty subscriber must not break the channel.
      }
    }
  };
  return {
    current: () => current,
    set(state, reason) {
      if (current.state === state && current.reason === reason) return;
      current = { state, since: Date.now(), ...(reason === undefined ? {} : { reason }), ...(current.lastSuccess === undefined ? {} : { lastSuccess: current.lastSuccess }) };
      emit({ type: 'health', health: current });
    },
    moved(at) {
      current = { ...current, lastSuccess: at };
    },
    error: (error) => emit({ type: 'error', error }),
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
