import { boundedMap } from '@herald/core';
import type { BrokerConnection } from './connection.js';
import { topicFor } from './topics.js';

/** Dropped tags whose envelopes are still taken in when the broker hands them over (see below), at most. */
const FORMER_TAGS_REMEMBERED = 1024;

/**
 * The routing tags the transport collects, kept in step with the broker's persistent session as
 * updateRoutingTags changes them (docs/protocol.md, epoch tags).
 *
 * - Added tags are subscribed (QoS 1) on the live connection; every new connection subscribes the whole set.
 * - Dropped tags are unsubscribed on the live connection, or on the next one when there is none (the session
 *   outlives connections, so the unsubscription is owed to it until an UNSUBACK).
 * - Nothing the broker accepted is lost: envelopes it queued under a dropped topic before the UNSUBSCRIBE
 *   (MQTT lets a broker still send those) are delivered to the node as before, not acknowledged and dropped.
 */
export interface Subscriptions {
  /** The tags every new connection subscribes (the topics of). */
  tags(): string[];
  /** Whether an envelope arriving under this tag goes to the node. */
  accepts(tag: string): boolean;
  /** Replaces the set; what the live connection owes is settled by `sync`. */
  replace(tags: readonly string[]): void;
  /** Brings `connection`'s session in step: subscribes what it lacks, unsubscribes what is owed. Serialised. */
  sync(connection: BrokerConnection | undefined, connectedWith?: readonly string[]): Promise<void>;
}

export function subscriptions(prefix: string, initial: readonly string[]): Subscriptions {
  let wanted = new Set(initial);
  const former = boundedMap<true>(FORMER_TAGS_REMEMBERED);
  /** Dropped tags whose UNSUBSCRIBE the session has not acknowledged yet. */
  const owed = new Set<string>();
  /** What each connection's session was last told to subscribe (per connection: a new one starts from its CONNECT). */
  const subscribed = new WeakMap<BrokerConnection, Set<string>>();
  let queue: Promise<void> = Promise.resolve();

  async function settle(connection: BrokerConnection, connectedWith: readonly string[] | undefined): Promise<void> {
    let has = subscribed.get(connection);
    if (!has) subscribed.set(connection, (has = new Set(connectedWith ?? [])));
    const missing = [...wanted].filter((tag) => !has.has(tag));
    if (missing.length > 0) {
      await connection.subscribe(missing.map((tag) => topicFor(prefix, tag)));
      for (const tag of missing) has.add(tag);
    }
    const dropping = [...owed].filter((tag) => !wanted.has(tag));
    if (dropping.length > 0) {
      await connection.unsubscribe(dropping.map((tag) => topicFor(prefix, tag)));
      for (const tag of dropping) {
        owed.delete(tag);
        has.delete(tag);
      }
    }
  }

  return {
    tags: () => [...wanted],
    accepts: (tag) => wanted.has(tag) || former.get(tag) === true,
    replace(tags) {
      const next = new Set(tags);
      for (const tag of wanted) {
        if (next.has(tag)) continue;
        owed.add(tag);
        former.set(tag, true);
      }
      for (const tag of next) {
        owed.delete(tag);
        former.delete(tag);
      }
      wanted = next;
    },
    sync(connection, connectedWith) {
      // A lost connection fails its commands: the next one subscribes the whole set and retries what is owed.
      const run = (): Promise<void> => (connection?.isOpen ? settle(connection, connectedWith) : Promise.resolve());
      const mine = queue.then(run, run);
      queue = mine.catch(() => undefined);
      return mine;
    },
  };
}
