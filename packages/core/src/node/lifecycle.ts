import { platform } from '#platform';
import { DeliveryError, HeraldError } from '../errors.js';

export type NodeState = 'created' | 'starting' | 'running' | 'stopped';

/**
 * The node's states and its lifetime signal: created → starting → running →
 * stopped, for good. The start signal is the node's lifetime (as a transport's
 * is): aborted before start, nothing happens; during start or later, the node
 * stops. Stopping aborts the lifetime signal every part of the node listens on.
 */
export interface Lifecycle {
  readonly state: NodeState;
  /** Aborted when the node stops. */
  readonly signal: AbortSignal;
  /** Runs `steps` (given the lifetime signal) and moves to running; see HeraldNode.start for the errors. */
  start(signal: AbortSignal | undefined, steps: (lifetime: AbortSignal) => Promise<void>): Promise<void>;
  /** Moves to stopped at once, then runs the teardown given to `lifecycle` (once, however often stop is called) after the start steps under way ended. */
  stop(signal: AbortSignal | undefined): Promise<void>;
  /** NODE_STOPPED once stopped; ABORTED when `signal` is aborted. */
  checkOpen(signal: AbortSignal | undefined): void;
}

/** An operation cancelled by its caller's signal (`code` ABORTED, not retryable). */
export function abortedError(what: string, signal: AbortSignal): HeraldError {
  return new HeraldError('ABORTED', `${what} aborted`, { cause: signal.reason });
}

export function lifecycle(teardown: (started: boolean, signal: AbortSignal | undefined) => Promise<void>): Lifecycle {
  const lifetime = new AbortController();
  // Every waiting dispatcher and in-flight attempt listens on the lifetime signal (and detaches when done).
  platform.allowManyListeners(lifetime.signal);
  let state: NodeState = 'created';
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let detachStart = (): void => {};

  function stop(signal: AbortSignal | undefined): Promise<void> {
    if (stopping) return stopping;
    const started = state !== 'created';
    state = 'stopped';
    detachStart();
    lifetime.abort();
    const steps = starting;
    stopping = (async () => {
      // The start steps see the aborted lifetime and end soon; the teardown must not run under them.
      await steps?.catch(() => undefined);
      await teardown(started, signal);
    })();
    return stopping;
  }

  return {
    get state() {
      return state;
    },
    signal: lifetime.signal,
    async start(signal, steps) {
      if (state !== 'created') throw new DeliveryError('NODE_STOPPED', `node cannot start: it is ${state}`);
      if (signal?.aborted) throw abortedError('start', signal);
      state = 'starting';
      if (signal) {
        const onAbort = (): void => void stop(undefined);
        signal.addEventListener('abort', onAbort, { once: true });
        detachStart = () => signal.removeEventListener('abort', onAbort);
      }
      starting = steps(lifetime.signal);
      try {
        await starting;
      } catch (error) {
        if (!lifetime.signal.aborted) {
          await stop(undefined);
          throw error;
        }
      } finally {
        starting = undefined;
      }
      if (lifetime.signal.aborted) {
        await stopping;
        throw signal?.aborted ? abortedError('start', signal) : new DeliveryError('NODE_STOPPED', 'node was stopped while it started');
      }
      state = 'running';
    },
    stop,
    checkOpen(signal) {
      if (state === 'stopped') throw new DeliveryError('NODE_STOPPED', 'node is stopped');
      if (signal?.aborted) throw abortedError('send', signal);
    },
  };
}
