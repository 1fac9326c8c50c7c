/**
 * A circuit breaker per channel: after `threshold` consecutive failures the
 * channel is skipped for a cooldown; then one half-open probe decides whether it
 * closes again or stays open for twice as long (up to 16× the cooldown).
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface Breaker {
  readonly state: BreakerState;
  /** Whether a send may go out now. In half-open state only one probe is allowed at a time. */
  allow(now: number): boolean;
  success(): void;
  failure(now: number): void;
  /** The attempt ended without a verdict (aborted): frees the half-open probe slot. */
  cancel(): void;
}

export function createBreaker(threshold: number, cooldownMs: number, onChange: (state: BreakerState) => void = () => {}): Breaker {
  let state: BreakerState = 'closed';
  let failures = 0;
  let openUntil = 0;
  let cooldown = cooldownMs;
  let probing = false;

  const move = (next: BreakerState): void => {
    if (next !== state) {
      state = next;
      onChange(next);
    }
  };

  return {
    get state() {
      return state;
    },
    allow(now) {
      if (state === 'closed') return true;
      if (state === 'open') {
        if (now < openUntil) return false;
        move('half-open');
      }
      if (probing) return false;
      probing = true;
      return true;
    },
    success() {
      failures = 0;
      probing = false;
      cooldown = cooldownMs;
      move('closed');
    },
    cancel() {
      probing = false;
    },
    failure(now) {
      failures++;
      if (state === 'half-open') {
        probing = false;
        cooldown = Math.min(cooldown * 2, cooldownMs * 16);
        openUntil = now + cooldown;
        move('open');
      } else if (state === 'closed' && failures >= threshold) {
        openUntil = now + cooldown;
        move('open');
      }
    },
  };
}
