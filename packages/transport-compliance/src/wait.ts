/** Bounded waiting: every wait has a deadline, and a test's own signal ends it early. */
import { delay as sleep } from '@herald/core';

/** Resolves after `ms`, or at once when `signal` aborts: core's `delay`. */
export { sleep };

/** Polls `condition` every 10 ms until it holds; fails with `what` once `timeoutMs` passes. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (signal?.aborted) throw new Error(`gave up waiting for ${what}: the test was aborted`);
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10, signal);
  }
}

/** Settles `promise` within `timeoutMs`, failing with `what` otherwise (a transport that hangs must fail the test, not stall it). */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
