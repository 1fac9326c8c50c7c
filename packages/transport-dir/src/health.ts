import { healthTracker as baseTracker, type HealthState, type TransportEvent, type TransportHealth } from '@herald/core';

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
  const base = baseTracker();
  let full: string | undefined;
  let isStopped = false;
  return {
    current: base.current,
    probed(problem) {
      if (isStopped) return;
      if (problem !== undefined) base.set('down', problem);
      else if (full !== undefined) base.set('degraded', full);
      else base.set('up');
    },
    failed(state, reason) {
      if (isStopped) return;
      if (state === 'degraded') full = reason;
      base.set(state, reason);
    },
    moved(at, wrote) {
      base.moved(at);
      if (isStopped || !wrote) return;
      full = undefined;
      base.set('up');
    },
    stopped() {
      isStopped = true;
      base.set('down', 'stopped');
    },
    error: base.error,
    subscribe: base.subscribe,
  };
}
