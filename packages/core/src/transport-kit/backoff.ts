import { platform } from '#platform';

/**
 * Reconnection delays: exponential with full jitter (AWS architecture blog's
 * "full jitter"), so many clients cut off by one relay outage do not all return
 * in the same instant. Jitter comes from the platform's CSPRNG, never Math.random.
 */
export interface Backoff {
  next(): number;
  reset(): void;
}

export function backoff(minMs: number, maxMs: number): Backoff {
  let attempt = 0;
  return {
    next() {
      const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
      attempt++;
      // At least minMs, so a refused connection never turns into a busy loop.
      return minMs + platform.randomInt(0, Math.max(1, ceiling - minMs + 1));
    },
    reset() {
      attempt = 0;
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects: the caller checks `signal.aborted`). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}
