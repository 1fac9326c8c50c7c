import type { NodeClock } from './clock.js';
import type { ResolvedPolicy } from './policy.js';
import { semaphore } from './async.js';
import type { Channel } from './channel.js';
import type { NodeEvents } from './events.js';
import { dispatch } from './outbound.js';
import type { OutboxRecords } from './records.js';
import type { StatusBoard } from './status.js';

/**
 * The retransmission scheduler: one dispatch job per live outbox record
 * (outbound.ts drives it: failover, hedging, backoff), at most
 * `maxConcurrentSends` sends at a time.
 */
export interface Dispatcher {
  /** Starts the record's job unless it runs already, or the node is not (yet, or any more) running. */
  start(id: string): void;
  /** Whether the record's job is running. */
  busy(id: string): boolean;
  /** Stops taking work and wakes waiting jobs; resolves once every job has ended. */
  close(): Promise<void>;
}

export function dispatcher(deps: { channels: readonly Channel[]; policy: ResolvedPolicy; records: OutboxRecords; status: StatusBoard; events: NodeEvents; signal: AbortSignal; active: () => boolean; clock: NodeClock }): Dispatcher {
  const jobs = new Map<string, Promise<void>>();
  const sending = semaphore(deps.policy.maxConcurrentSends);
  // Jobs resting after a pass no channel took: a channel coming back wakes them (no wait for the rest of a backoff).
  const resting = new Set<() => void>();
  const unsubscribes = deps.channels.map((channel) => {
    let wasDown = channel.transport.health().state === 'down';
    return channel.transport.subscribe((event) => {
      if (event.type !== 'health') return;
      const down = event.health.state === 'down';
      if (wasDown && !down) for (const wake of [...resting]) wake();
      wasDown = down;
    });
  });
  const context = {
    channels: deps.channels,
    policy: deps.policy,
    records: deps.records,
    sending,
    signal: deps.signal,
    setStatus: deps.status.set,
    onChange: deps.status.onChange,
    onChannelBack(wake: () => void) {
      resting.add(wake);
      return () => void resting.delete(wake);
    },
    emit: deps.events.emit,
    now: deps.clock.now,
  };
  return {
    start(id) {
      if (!deps.active() || jobs.has(id)) return;
      const job = dispatch(context, id)
        .catch((error: unknown) => deps.events.report(error))
        .finally(() => jobs.delete(id));
      jobs.set(id, job);
    },
    busy: (id) => jobs.has(id),
    async close() {
      for (const unsubscribe of unsubscribes) unsubscribe();
      sending.close();
      // Waiting jobs hold no listener on the lifetime signal (thousands would be O(n) each); wake them to see it aborted.
      deps.status.wakeAll();
      await Promise.allSettled([...jobs.values()]);
    },
  };
}
