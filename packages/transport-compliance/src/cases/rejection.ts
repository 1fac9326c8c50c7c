import { asTransportError, type TransportErrorShape } from '../fixtures.js';

/** Awaits `promise` and returns the TransportError it rejected with; anything else (resolving, another error) fails the case. */
export async function rejection(promise: Promise<unknown>, what: string): Promise<TransportErrorShape> {
  let outcome: unknown;
  try {
    await promise;
    outcome = 'it resolved';
  } catch (error) {
    const shaped = asTransportError(error);
    if (shaped) return shaped;
    outcome = error;
  }
  throw new Error(`${what}: expected a rejection with a TransportError, but ${outcome === 'it resolved' ? 'it resolved' : `got ${String(outcome)}`}`);
}
