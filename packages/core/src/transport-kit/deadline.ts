import type { RoundTripTimer } from './rtt.js';

/** A deadline measured from a fixed start whose length may grow while it runs (a connection attempt's). */
export interface MovingDeadline {
  /** Recomputes the length (after a round-trip sample) and re-arms the timer from the same start. */
  rearm(): void;
  clear(): void;
}

/**
 * The deadline of a connection attempt: `length()` ms from now, re-armed from the same start whenever the
 * caller learns more about the round trip, so a slow link's first attempt gets the time its measured round
 * trips need. On expiry the timer backs off (RFC 6298 5.5) and `expired` gets the length that ran out.
 */
export function movingDeadline(rtt: RoundTripTimer, length: () => number, expired: (limitMs: number) => void): MovingDeadline {
  const startedAt = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline: MovingDeadline = {
    rearm() {
      clearTimeout(timer);
      const limit = length();
      timer = setTimeout(() => {
        rtt.timedOut();
        expired(limit);
      }, Math.max(0, startedAt + limit - performance.now()));
    },
    clear: () => clearTimeout(timer),
  };
  deadline.rearm();
  return deadline;
}
