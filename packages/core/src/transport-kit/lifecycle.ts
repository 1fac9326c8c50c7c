import { OptionsError, TransportError } from '../errors.js';
import type { OperationOptions, TransportStartOptions } from '../transport.js';
import { tracked, unlessAborted } from './in-flight.js';

/**
 * The one start/stop state machine every transport uses (docs/architecture.md,
 * "Transport lifecycle"):
 *
 *   created ──start()──▶ starting ──first attempt done──▶ running
 *      │                    │                               │
 *      └──────stop(), or the start signal aborts────────────┴──▶ stopped (for good)
 *
 * - `start()` with an aborted signal: ABORTED, nothing opened.
 * - A second `start()` while starting or running: ALREADY_STARTED; after stop: CHANNEL_STOPPED.
 * - The start signal aborting at any later time stops the transport; during
 *   the start, the start also rejects with ABORTED.
 * - `send()` before start or after stop: CHANNEL_STOPPED; with an aborted signal: ABORTED;
 *   during the start it waits for the start to finish.
 * - `stop()` is idempotent and shared; its signal only cuts the caller's wait
 *   short (ABORTED) and tells the transport to skip draining; the transport is stopped regardless.
 * - `updateRoutingTags()` (`update`) as `send` before start, after stop and during the start; updates run one
 *   at a time in call order (the last one's set wins), stop waits for the one under way (its job sees the
 *   lifetime signal abort), and its signal only cuts the caller's wait short: a set once handed over is applied.
 */
export type LifecycleState = 'created' | 'starting' | 'running' | 'stopped';

export interface LifecycleHooks {
  /**
   * Opens the channel; resolves once its first attempt ended (connected or not:
   * an unreachable medium makes the channel 'down', never the start fail).
   * `signal` aborts when the transport stops: every wait inside must end with it.
   */
  open(start: TransportStartOptions, signal: AbortSignal): Promise<void>;
  /** Called once, at the instant the transport becomes stopped (report health 'down', "stopped"). */
  stopped(): void;
  /**
   * Releases what `open` made, after `open` settled and sends under way settled.
   * Deliveries under way should finish first; `hurry` aborts when a stop() caller's signal does: then don't wait for them.
   */
  close(hurry: AbortSignal): Promise<void>;
}

export interface LifecycleInit extends LifecycleHooks {
  /** The transport's name, for errors. */
  readonly channel: string;
  /** Which routing tags `start` accepts. Default: 1 to 64 bytes of lowercase hex. */
  readonly isRoutingTag?: (tag: string) => boolean;
}

export interface TransportLifecycle {
  readonly state: LifecycleState;
  /** Aborts when the transport stops (by stop() or its start signal). */
  readonly signal: AbortSignal;
  /** Sends under way, not counting the one whose job is being started (a job reading it sees the others). */
  readonly sendsInFlight: number;
  start(options: TransportStartOptions): Promise<void>;
  stop(options?: OperationOptions): Promise<void>;
  /** Runs one send if the transport may send now (see above), counted so that stop waits for it. */
  send<T>(signal: AbortSignal | undefined, job: () => Promise<T>): Promise<T>;
  /**
   * Runs one `updateRoutingTags` (see above): the tags are checked as start's, deduplicated, and handed to `job`
   * after every earlier update finished. `job` must end when the lifetime signal aborts.
   */
  update(routingTags: readonly string[], options: OperationOptions | undefined, job: (routingTags: readonly string[]) => Promise<void>): Promise<void>;
}

const ROUTING_TAG = /^(?:[0-9a-f]{2}){1,64}$/;

const isHexTag = (tag: string): boolean => ROUTING_TAG.test(tag);

function checkRoutingTags(tags: unknown, isRoutingTag: (tag: string) => boolean, what: string): void {
  if (!Array.isArray(tags)) throw new OptionsError(`${what}: routingTags: expected an array of hex routing tags`);
  tags.forEach((tag: unknown, index) => {
    if (typeof tag !== 'string' || !isRoutingTag(tag)) throw new OptionsError(`${what}: routingTags[${index}]: expected lowercase hex, got ${JSON.stringify(tag)}`);
  });
}

/** Checks the options every transport's start takes; a bad one is an OptionsError naming the field. */
export function checkStartOptions(start: TransportStartOptions, isRoutingTag: (tag: string) => boolean = isHexTag): void {
  if (typeof start !== 'object' || start === null) throw new OptionsError('start: options are required ({ routingTags, deliver })');
  checkRoutingTags(start.routingTags, isRoutingTag, 'start');
  if (typeof start.deliver !== 'function') throw new OptionsError('start: deliver: expected a function');
  if (start.signal !== undefined && !(start.signal instanceof AbortSignal)) throw new OptionsError('start: signal: expected an AbortSignal');
}

export function transportLifecycle(init: LifecycleInit): TransportLifecycle {
  const { channel } = init;
  const aborted = (what: string): TransportError => new TransportError('ABORTED', channel, `${what} aborted`);
  let state: LifecycleState = 'created';
  /** The state read afresh: stop() may have changed it while a method awaited (TypeScript's narrowing cannot know). */
  const now = (): LifecycleState => state;
  const lifetime = new AbortController();
  const hurry = new AbortController();
  const sends = new Set<Promise<unknown>>();
  /** The latest routing-tag update, settled or not: the next one runs after it. */
  let updating: Promise<void> = Promise.resolve();
  let opening: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  async function stopNow(): Promise<void> {
    const wasOpened = opening !== undefined;
    state = 'stopped';
    init.stopped();
    lifetime.abort();
    if (!wasOpened) return;
    const cutShort = new Promise<void>((resolve) => (hurry.signal.aborted ? resolve() : hurry.signal.addEventListener('abort', () => resolve(), { once: true })));
    // open() ends soon after the lifetime signal aborted; closing before it did would race with what it is still making.
    await Promise.race([opening?.catch(() => undefined), cutShort]);
    await Promise.race([Promise.allSettled(sends), cutShort]);
    // An update under way ends with the lifetime signal; closing under it would race with what it changes.
    await Promise.race([updating, cutShort]);
    await init.close(hurry.signal);
  }

  const beginStop = (): Promise<void> => (stopping ??= stopNow());

  return {
    get state() {
      return state;
    },
    signal: lifetime.signal,
    get sendsInFlight() {
      return sends.size;
    },

    async start(start) {
      checkStartOptions(start, init.isRoutingTag);
      const external = start.signal;
      if (external?.aborted) throw aborted('start');
      if (state === 'stopped') throw new TransportError('CHANNEL_STOPPED', channel, 'start: stopped; create a new transport to start again');
      if (state !== 'created') throw new TransportError('ALREADY_STARTED', channel, 'start: already started');
      state = 'starting';
      // The start signal bounds the transport's running life (the node passes its own lifetime).
      const onAbort = (): void => void beginStop().catch(() => undefined);
      external?.addEventListener('abort', onAbort, { once: true });
      lifetime.signal.addEventListener('abort', () => external?.removeEventListener('abort', onAbort), { once: true });
      // Wrapped, so an open that throws at once is a rejection like any other.
      opening = (async () => init.open(start, lifetime.signal))();
      try {
        await unlessAborted(opening, lifetime.signal, () => (external?.aborted ? aborted('start') : new TransportError('CHANNEL_STOPPED', channel, 'start: stopped while starting')));
      } catch (error) {
        // A failed open leaves nothing half-open behind.
        if (now() !== 'stopped') await beginStop().catch(() => undefined);
        throw error;
      }
      if (now() === 'starting') state = 'running';
    },

    async stop(options = {}) {
      const { signal } = options;
      if (state === 'created') {
        // Never started: nothing to close, but it is stopped for good all the same.
        state = 'stopped';
        init.stopped();
        lifetime.abort();
        stopping = Promise.resolve();
      }
      const stopped = beginStop();
      if (!signal) return stopped;
      const cut = (): void => hurry.abort();
      if (signal.aborted) {
        cut();
        void stopped.catch(() => undefined);
        throw aborted('stop');
      }
      signal.addEventListener('abort', cut, { once: true });
      try {
        await unlessAborted(stopped, signal, () => aborted('waiting for in-flight deliveries'));
      } finally {
        signal.removeEventListener('abort', cut);
      }
    },

    async send(signal, job) {
      if (signal?.aborted) throw aborted('send');
      if (state === 'starting' && opening) {
        // A send right after start() waits for the first attempt rather than failing.
        await unlessAborted(opening.catch(() => undefined), signal, () => aborted('send'));
      }
      if (now() === 'created') throw new TransportError('CHANNEL_STOPPED', channel, 'send: not started');
      if (now() === 'stopped') throw new TransportError('CHANNEL_STOPPED', channel, 'send: stopped');
      return tracked(sends, job());
    },

    async update(routingTags, options = {}, job) {
      checkRoutingTags(routingTags, init.isRoutingTag ?? isHexTag, 'updateRoutingTags');
      const { signal } = options;
      if (signal?.aborted) throw aborted('updateRoutingTags');
      if (state === 'starting' && opening) await unlessAborted(opening.catch(() => undefined), signal, () => aborted('updateRoutingTags'));
      if (now() === 'created') throw new TransportError('CHANNEL_STOPPED', channel, 'updateRoutingTags: not started');
      if (now() === 'stopped') throw new TransportError('CHANNEL_STOPPED', channel, 'updateRoutingTags: stopped');
      const tags = [...new Set(routingTags)];
      const run = async (): Promise<void> => {
        if (now() === 'stopped') throw new TransportError('CHANNEL_STOPPED', channel, 'updateRoutingTags: stopped');
        await job(tags);
        // A job cut short by the stop did not finish applying the set.
        if (lifetime.signal.aborted) throw new TransportError('CHANNEL_STOPPED', channel, 'updateRoutingTags: stopped while updating');
      };
      const mine = updating.then(run, run);
      updating = mine.catch(() => undefined);
      return unlessAborted(mine, signal, () => aborted('waiting for updateRoutingTags'));
    },
  };
}
