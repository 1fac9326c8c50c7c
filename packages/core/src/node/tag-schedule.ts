import { toHex } from '../bytes.js';
import type { Identity } from '../identity.js';
import type { Transport, TransportStartOptions } from '../transport.js';
import type { RetiredIdentity } from './trust.js';
import type { NodeClock } from './clock.js';
import type { EpochTagSet } from './epoch-tags.js';
import type { NodeEvents } from './events.js';

/** The longest wait between checks of the tag set: a clock correction since the last one moves the boundaries. */
const MAX_CHECK_EVERY_MS = 60_000;
/** Checked this long after a boundary, so the epoch has surely turned on the clock the set is computed with. */
const PAST_BOUNDARY_MS = 5;

/**
 * Which routing tags the node's channels collect, and keeping them current: a version-2 identity's epoch tags move
 * at every boundary (the next epoch enters, an old one leaves); each channel is given the full new set
 * (`updateRoutingTags`, else stopped and started again). Retired identities keep their static tags.
 */
export interface TagSchedule {
  /** The hex tags the channels start with (and the set now applied). */
  initial(): readonly string[];
  /** The tags whose envelope entries are the current identity's, for `open`; undefined for a version-1 card (its static tag). */
  openTags(): readonly Uint8Array[] | undefined;
  /** Starts the boundary timer; the set is re-applied to `channels` with `start` as their start options. */
  start(start: Omit<TransportStartOptions, 'routingTags'>): void;
  /** Stops the timer; resolves once an update under way has ended (the node then stops the channels). */
  stop(): Promise<void>;
}

export function tagSchedule(deps: { identity: Identity; retired: readonly RetiredIdentity[]; epochs: EpochTagSet | undefined; channels: readonly Transport[]; clock: NodeClock; events: NodeEvents }): TagSchedule {
  const { epochs, identity } = deps;
  const retiredTags = deps.retired.map((retired) => toHex(retired.identity.card.routingTag));
  const collected = (): string[] => [...(epochs ? epochs.at(deps.clock.now()).hex : [toHex(identity.card.routingTag)]), ...retiredTags];
  let applied: readonly string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = true;
  // Updates run one after another: two boundaries close together must not hand a channel its sets out of order.
  let updating: Promise<void> = Promise.resolve();

  async function apply(tags: readonly string[], start: Omit<TransportStartOptions, 'routingTags'>): Promise<void> {
    const before = new Set(applied);
    applied = tags;
    deps.events.emit({ type: 'routing-tags', count: tags.length, added: tags.filter((tag) => !before.has(tag)).length, removed: [...before].filter((tag) => !tags.includes(tag)).length });
    const results = await Promise.allSettled(deps.channels.map(async (transport) => {
      if (transport.updateRoutingTags) return transport.updateRoutingTags(tags, start.signal ? { signal: start.signal } : {});
      // A channel that cannot change its set while running is restarted with the new one.
      await transport.stop(start.signal ? { signal: start.signal } : {});
      if (!stopped) await transport.start({ ...start, routingTags: tags });
    }));
    for (const result of results) if (result.status === 'rejected' && !stopped) deps.events.report(result.reason);
  }

  function schedule(start: Omit<TransportStartOptions, 'routingTags'>): void {
    if (stopped || !epochs) return;
    const now = deps.clock.now();
    const wait = Math.min(Math.max(epochs.nextChange(now) - now + PAST_BOUNDARY_MS, PAST_BOUNDARY_MS), MAX_CHECK_EVERY_MS);
    timer = setTimeout(() => {
      const tags = collected();
      if (tags.join() !== applied.join()) updating = updating.then(() => apply(tags, start)).catch((error: unknown) => deps.events.report(error));
      void updating.then(() => schedule(start));
    }, wait);
    // Never keeps a process alive (a number in a browser, where nothing needs it).
    (timer as { unref?: () => void }).unref?.();
  }

  return {
    initial() {
      applied = collected();
      return applied;
    },
    openTags: () => (epochs ? [identity.card.routingTag, ...epochs.at(deps.clock.now()).bytes] : undefined),
    start(start) {
      stopped = false;
      schedule(start);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await updating;
    },
  };
}
