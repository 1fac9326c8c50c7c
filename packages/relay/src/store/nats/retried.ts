import { delay } from '@herald/core';

/**
 * Runs a JetStream request until it answers, for at most `timeoutMs`: a timeout or "no responders" is what a
 * request meets during a leader election after a node's crash, or while the client reconnects, and passes within
 * seconds. `final` names the answers that waiting does not change: they are thrown at once.
 */
export async function retried<T>(request: (timeoutMs: number) => Promise<T>, timeoutMs: number, final: (error: unknown) => boolean): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let wait = 50;
  for (;;) {
    try {
      return await request(Math.max(100, Math.min(deadline - Date.now(), 2_000)));
    } catch (error) {
      if (final(error) || Date.now() + wait >= deadline) throw error;
      await delay(wait);
      wait = Math.min(wait * 2, 500);
    }
  }
}
