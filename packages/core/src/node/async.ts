import { secureRandom } from '../random.js';

/** Small async helpers for the node: a counting semaphore, jitter (abortable sleeps are transport-kit's `delay`). */

/** A uniform fraction in [0, 1) from the CSPRNG (never Math.random, per the project's rules). */
export function jitter(): number {
  const bytes = secureRandom(4);
  const value = (((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)) >>> 0;
  return value / 2 ** 32;
}

export interface Semaphore {
  /** Resolves with a release function once a slot is free, or undefined once the semaphore is closed. */
  acquire(): Promise<(() => void) | undefined>;
  /** Wakes every waiter (they get undefined) and refuses later acquisitions. */
  close(): void;
}

/**
 * At most `limit` holders at once; waiters are served in order. Closing wakes
 * everyone at once, so waiters need no abort listener each: thousands of them
 * on one long-lived AbortSignal would make every addEventListener O(n).
 */
export function semaphore(limit: number): Semaphore {
  let active = 0;
  let closed = false;
  // A FIFO with a moving head: Array#shift is O(n), and thousands of messages may wait here.
  let waiting: Array<() => void> = [];
  let head = 0;
  const next = (): (() => void) | undefined => {
    const wake = waiting[head];
    if (wake === undefined) return undefined;
    waiting[head++] = noop;
    if (head > 1024 && head * 2 > waiting.length) {
      waiting = waiting.slice(head);
      head = 0;
    }
    return wake;
  };
  const grant = (): (() => void) => {
    active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      active--;
      if (!closed) next()?.();
    };
  };
  return {
    async acquire() {
      if (closed) return undefined;
      if (active < limit && head === waiting.length) return grant();
      // Woken waiters are handed the slot directly: a release wakes exactly one, which then takes it.
      await new Promise<void>((resolve) => waiting.push(resolve));
      return closed ? undefined : grant();
    },
    close() {
      closed = true;
      for (let wake = next(); wake; wake = next()) wake();
    },
  };
}

function noop(): void {}

/**
 * A child controller aborted with its parent, optionally after `timeoutMs`.
 * Unlike AbortSignal.any it detaches from the long-lived parent on `release()`,
 * so a node that runs for weeks does not accumulate listeners on its lifetime signal.
 */
export function linkedController(parent: AbortSignal, timeoutMs?: number): AbortController & { release: () => void; timedOut: () => boolean } {
  const controller = new AbortController();
  let timedOut = false;
  const onParentAbort = (): void => controller.abort(parent.reason);
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('timed out', 'TimeoutError'));
  }, timeoutMs);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onParentAbort, { once: true });
  return Object.assign(controller, {
    release: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
    timedOut: () => timedOut,
  });
}
