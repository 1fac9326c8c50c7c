import { MAX_CLOCK_OFFSET_MS, type NodeClock } from './clock.js';
import type { PrekeyKind } from '../prekey/types.js';
import type { HeraldStore } from '../store.js';
import type { Dispatcher } from './dispatcher.js';
import type { NodeEvents } from './events.js';
import type { NodePrekeys } from './forward-secrecy.js';
import type { NodeDirectory } from './prekey-directory.js';
import { noPrekeyFailure } from './outbound.js';
import type { ResolvedRotation } from './own-prekeys.js';
import { TERMINAL } from './records.js';
import type { StatusBoard } from './status.js';

/** How often the outbox and seen-set are tidied. */
const MAINTENANCE_EVERY_MS = 60_000;

/**
 * Background upkeep while the node runs: the prekey schedule (a new
 * medium-term prekey when due, expired secrets deleted; the prekey directories topped up) and the store (expired
 * seen ids pruned, finished records deleted after `retainFinishedMs`, records
 * past their expiry with no job finished).
 */
export interface Upkeep {
  /** One prekey rotation now (at start, before the channels). */
  rotatePrekeys(): Promise<void>;
  /** Starts the timers (unref'd: they never keep a process alive). */
  start(): void;
  stop(): void;
}

export function upkeep(deps: { store: HeraldStore; prekeys: NodePrekeys; offerKinds: readonly PrekeyKind[]; rotation: ResolvedRotation; retainFinishedMs: number; dispatcher: Dispatcher; status: StatusBoard; events: NodeEvents; clock: NodeClock; directory?: NodeDirectory; signal?: AbortSignal }): Upkeep {
  const { store, status } = deps;
  let timers: NodeJS.Timeout[] = [];

  const rotatePrekeys = async (): Promise<void> => void (await deps.prekeys.own.rotate(deps.offerKinds.slice(0, 1), deps.clock.now()));

  async function maintain(): Promise<void> {
    // Expiry times are the sealer's (corrected) clock; updatedAt and the seen-set's pruning are this machine's.
    const now = deps.clock.now();
    // Seen keys outlive their envelope's expiry by the largest clock correction: however the correction moves
    // (within ±MAX_CLOCK_OFFSET_MS), no clock this node may check with still takes in an envelope whose key is gone.
    await store.pruneSeen(Date.now() - MAX_CLOCK_OFFSET_MS);
    for (const record of await store.listOutbox()) {
      if (TERMINAL.has(record.status) && record.updatedAt + deps.retainFinishedMs < Date.now()) await store.deleteOutbox(record.id);
      else if (!TERMINAL.has(record.status) && record.expiresAt <= now && !deps.dispatcher.busy(record.id)) {
        await (record.status === 'awaiting-prekeys' ? status.set(record.id, 'failed', { failure: noPrekeyFailure(record) }) : status.set(record.id, 'expired'));
      }
    }
  }

  const every = (ms: number, work: () => Promise<void>): NodeJS.Timeout => {
    const timer = setInterval(() => void work().catch(deps.events.report), ms);
    // Timers are objects with unref() under Node, plain numbers in a browser (where nothing needs keeping alive).
    timer.unref?.();
    return timer;
  };

  return {
    rotatePrekeys,
    start() {
      // Rotation is checked often enough to keep to a drill's schedule of seconds, at most once a minute otherwise.
      timers = [every(MAINTENANCE_EVERY_MS, maintain), every(Math.min(deps.rotation.everySeconds * 1000, 60_000), rotatePrekeys)];
      // The channels' prekey directories: this node's prekeys topped up there, and held messages' recipients asked for.
      const { directory } = deps;
      if (directory) timers.push(every(MAINTENANCE_EVERY_MS, () => directory.tick(deps.signal)));
    },
    stop() {
      for (const timer of timers) clearInterval(timer);
      timers = [];
    },
  };
}
