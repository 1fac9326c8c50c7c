import type { HealthState, TransportEvent, TransportHealth } from '@herald/core';

/**
 * The channel's health from its two halves. SMTP trouble makes the channel
 * 'down' (the router must not pick it to send); IMAP trouble makes it
 * 'degraded' when it can still send, 'down' when receiving is all it does.
 */
export interface HealthTracker {
  current(): TransportHealth;
  /** One half's state: undefined when it works, else why not. */
  set(half: 'smtp' | 'imap', problem: string | undefined): void;
  moved(at: number): void;
  stopped(): void;
  error(error: Error): void;
  subscribe(listener: (event: TransportEvent) => void): () => void;
}

export function healthTracker(halves: { smtp: boolean; imap: boolean }): HealthTracker {
  const listeners = new Set<(event: TransportEvent) => void>();
  const problems: { smtp?: string | undefined; imap?: string | undefined } = {};
  let health: TransportHealth = { state: 'down', reason: 'not started', since: Date.now() };
  let isStopped = false;

  const emit = (event: TransportEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // A throwing subscriber must not break the channel or other subscribers.
      }
    }
  };

  const put = (state: HealthState, reason: string | undefined): void => {
    if (health.state === state && health.reason === reason) return;
    health = { state, since: Date.now(), ...(reason === undefined ? {} : { reason }), ...(health.lastSuccess === undefined ? {} : { lastSuccess: health.lastSuccess }) };
    emit({ type: 'health', health });
  };

  const judge = (): void => {
    if (isStopped) return;
    if (halves.smtp && problems.smtp !== undefined) return put('down', `SMTP: ${problems.smtp}`);
    if (halves.imap && problems.imap !== undefined) return put(halves.smtp ? 'degraded' : 'down', `IMAP: ${problems.imap}`);
    put('up', undefined);
  };

  return {
    current: () => health,
    set(half, problem) {
      problems[half] = problem;
      judge();
    },
    moved(at) {
      health = { ...health, lastSuccess: at };
    },
    stopped() {
      put('down', 'stopped');
      isStopped = true;
    },
    error: (error) => emit({ type: 'error', error }),
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
