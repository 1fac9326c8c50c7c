/**
 * Two small pieces every transport's send and stop need: counting the sends in
 * flight (stop waits for them), and waiting for work that a signal may cut
 * short without cancelling the work itself.
 */

/** Awaits `job` while it is counted in `inFlight`, so a stop can wait for what is under way. */
export async function tracked<T>(inFlight: Set<Promise<unknown>>, job: Promise<T>): Promise<T> {
  inFlight.add(job);
  try {
    return await job;
  } finally {
    inFlight.delete(job);
  }
}

/**
 * Settles with `work`, or rejects with `onAbort()` as soon as `signal` aborts. The work goes on either way:
 * this is for waits on what cannot be withdrawn (a mail handed to SMTP, a stop under way).
 */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, onAbort: () => Error): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
