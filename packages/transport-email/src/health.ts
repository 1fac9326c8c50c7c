import { healthTracker as baseTracker, type TransportEvent, type TransportHealth } from '@herald/core';

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
  const base = baseTracker();
  const problems: { smtp?: string | undefined; imap?: string | undefined } = {};
  let isStopped = false;
  const judge = (): void => {
    if (isStopped) return;
    if (halves.smtp && problems.smtp !== undefined) return base.set('down', `SMTP: ${problems.smtp}`);
    if (halves.imap && problems.imap !== undefined) return base.set(halves.smtp ? 'degraded' : 'down', `IMAP: ${problems.imap}`);
    base.set('up');
  };
  return {
    current: base.current,
    set(half, problem) {
      problems[half] = problem;
      judge();
    },
    moved: base.moved,
    stopped() {
      base.set('down', 'stopped');
      isStopped = true;
    },
    error: base.error,
    subscribe: base.subscribe,
  };
}
