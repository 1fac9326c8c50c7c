import type { HealthState, TransportEvent, TransportHealth } from '@herald/core';

/**
 * The channel's health and its subscribers. Two sources feed it: the folder
 * probe on every poll, and send outcomes. A full medium ('degraded') is only
 * learnt from a failed write and no probe can see it, so it sticks until a
 * write succeeds; any other condition is re-judged by the next probe.
 */
export interface HealthTracker {
  current(): TransportHealth;
  /** The result of probing the folder: undefined when it is usable, else why not. */
  probed(problem: string | undefined): void;
  /** A write or removal failed in a way that says something about the folder. */
  failed(state: Exclude<HealthState, 'up'>, reason: string): void;
  /** An envelope moved: written (which also proves the folder writable and not full) or picked up. */
  moved(at: number, wrote: boolean): void;
  stopped(): void;
  error(error: Error): void;
  subscribe(listener: (event: TransportEvent) => void): () => void;
}

export function healthTracker(): HealthTracker {
  const listeners = new Set<(event: TransportEvent) => void>();
  let health: TransportHealth = { state: 'down', reason: 'not started', since: Date.now() };
  let full: string | undefined;
  let isStopped = false;

  const emit = (event: TransportEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // A throwing subscriber must not break the poll loop or other subscribers.
      }
    }
  };

  const set = (state: HealthState, reason: string | undefined): void => {
    if (health.state === state && health.reason === reason) return;
    health = { state, since: Date.now(), ...(reason === undefined ? {} : { reason }), ...(health.lastSuccess === undefined ? {} : { lastSuccess: health.lastSuccess }) };
    emit({ type: 'health', health });
  };

  return {
    current: () => health,
    probed(problem) {
      if (isStopped) return;
      if (problem !== undefined) set('down', problem);
      else if (full !== undefined) set('degraded', full);
      else set('up', undefined);
    },
    failed(state, reason) {
      if (isStopped) return;
      if (state === 'degraded') full = reason;
      set(state, reason);
    },
    moved(at, wrote) {
      health = { ...health, lastSuccess: at };
      if (isStopped || !wrote) return;
      full = undefined;
      set('up', undefined);
    },
    stopped() {
      isStopped = true;
      set('down', 'stopped');
    },
    error: (error) => emit({ type: 'error', error }),
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
