import { secureRandom } from '../random.js';

/** Small async helpers for the node: abortable sleeps, a counting semaphore, jitter. */

/** A uniform fraction in [0, 1) from the CSPRNG (never Math.random, per the project's rules). */
export function jitter(): number {
  const bytes = secureRandom(4);
  const value = (((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)) >>> 0;
  return value / 2 ** 32;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface Semaphore {
  acquire(signal?: AbortSignal): Promise<(() => void) | undefined>;
}

/** At most `limit` holders at once; waiters are served in order. Returns undefined when aborted while waiting. */
export function semaphore(limit: number): Semaphore {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    active--;
    waiting.shift()?.();
  };
  return {
    async acquire(signal) {
      while (active >= limit) {
        if (signal?.aborted) return undefined;
        await new Promise<void>((resolve) => {
          const wake = (): void => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          };
          const onAbort = (): void => {
            const index = waiting.indexOf(wake);
            if (index >= 0) waiting.splice(index, 1);
            resolve();
          };
          waiting.push(wake);
          signal?.addEventListener('abort', onAbort, { once: true });
        });
      }
      if (signal?.aborted) return undefined;
      active++;
      let released = false;
      return () => {
        if (!released) {
          released = true;
          release();
        }
      };
    },
  };
}

/** Resolves after `ms` or when `wake` is called, whichever comes first. */
export function wakeableSleep(ms: number, signal: AbortSignal): { promise: Promise<void>; wake: () => void } {
  const controller = new AbortController();
  const combined = AbortSignal.any([signal, controller.signal]);
  return { promise: sleep(ms, combined), wake: () => controller.abort() };
}
