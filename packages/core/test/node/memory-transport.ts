import { randomInt } from 'node:crypto';
import { TransportError, type InboundEnvelope, type Route, type Transport, type TransportEvent, type TransportHealth, type TransportStartOptions } from '@herald/core';

/**
 * Test-only in-memory medium for router unit tests (never proof that a real channel works).
 * Each channel can be told to fail, fail permanently, stall, drop, duplicate, reorder, go down, or carry only small envelopes.
 */
export interface Faults {
  fail?: boolean;
  failPermanently?: boolean;
  /** The channel answers, but refuses with RECIPIENT_UNREACHABLE (an MQTT 5 broker's "no matching subscribers"). */
  unreachable?: boolean;
  stall?: boolean;
  drop?: boolean;
  duplicate?: boolean;
  reorderMs?: number;
  down?: boolean;
  /** The acceptance takes this long (a slow link). */
  acceptAfterMs?: number;
  /** The round trip the channel reports through roundTrip() (SRTT; RTTVAR 0). */
  roundTripMs?: number;
}

export interface Medium {
  /** `updatable`: the channel has updateRoutingTags (else the node restarts it to change its tags). */
  channel(name: string, options?: { maxEnvelopeBytes?: number; updatable?: boolean }): TestChannel;
}

export interface TestChannel extends Transport {
  faults: Faults;
  readonly sent: { id: string; at: number }[];
  /** Envelopes accepted while nobody listened, kept until a listener for the tag starts. */
  readonly parked: number;
  /** Reports the holder's clock as a relay's handshake does: `offsetMs` ahead of this machine's. */
  reportClock(offsetMs: number): void;
  /** The tag sets the channel was given, by start() or updateRoutingTags(), in order. */
  readonly tagSets: (readonly string[])[];
  /** Sets `faults.down` and tells subscribers the new health, as a real transport's reconnect does. */
  setDown(down: boolean): void;
}

/** One channel name's mailboxes: who listens on which tag, and what waits for a listener. */
interface MailSystem {
  listeners: Map<string, (envelope: InboundEnvelope) => Promise<void>>;
  parked: { tag: string; bytes: Uint8Array }[];
}

export function memoryMedium(): Medium {
  // Each channel name is its own mailbox system shared by every node that opens it.
  const systems = new Map<string, MailSystem>();

  return {
    channel(name, options = {}) {
      const system: MailSystem = systems.get(name) ?? { listeners: new Map(), parked: [] };
      systems.set(name, system);
      const subscribers = new Set<(event: TransportEvent) => void>();
      let myTags: readonly string[] = [];
      let running = false;
      const faults: Faults = {};
      const sent: { id: string; at: number }[] = [];
      const tagSets: (readonly string[])[] = [];
      let deliver: TransportStartOptions['deliver'] | undefined;
      const listen = (tags: readonly string[]): void => {
        tagSets.push(tags);
        for (const tag of myTags) if (!tags.includes(tag)) system.listeners.delete(tag);
        myTags = tags;
        for (const tag of myTags) system.listeners.set(tag, deliver!);
        const mine = system.parked.filter((item) => myTags.includes(item.tag));
        system.parked = system.parked.filter((item) => !myTags.includes(item.tag));
        for (const item of mine) deliverTo(item.tag, item.bytes);
      };

      const deliverTo = (tag: string, bytes: Uint8Array): void => {
        const listener = system.listeners.get(tag);
        if (!listener) {
          system.parked.push({ tag, bytes });
          return;
        }
        const copies = faults.duplicate ? 2 : 1;
        for (let copy = 0; copy < copies; copy++) {
          const delay = faults.reorderMs ? randomInt(faults.reorderMs) : 0;
          setTimeout(() => {
            listener({ bytes, channel: name, receivedAt: Date.now() }).catch(() => system.parked.push({ tag, bytes }));
          }, delay);
        }
      };

      const channel: TestChannel = {
        name,
        faults,
        sent,
        get parked() {
          return system.parked.length;
        },
        capabilities: { maxEnvelopeBytes: options.maxEnvelopeBytes ?? 1 << 24, requiresPeerOnline: false, storeAndForward: true, delivery: 'push' },
        async start(start: TransportStartOptions) {
          running = true;
          deliver = start.deliver;
          listen(start.routingTags);
        },
        ...(options.updatable ? { updateRoutingTags: async (tags: readonly string[]) => listen(tags) } : {}),
        tagSets,
        async stop() {
          running = false;
          for (const tag of myTags) system.listeners.delete(tag);
        },
        async send(bytes: Uint8Array, route: Route, { signal } = {}) {
          if (!running) throw new TransportError('CHANNEL_STOPPED', name, 'stopped');
          sent.push({ id: route.messageId, at: Date.now() });
          if (faults.stall) {
            await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new TransportError('ABORTED', name, 'aborted')), { once: true }));
          }
          if (faults.failPermanently) throw new TransportError('CHANNEL_REJECTED', name, 'refused for good');
          if (faults.unreachable) throw new TransportError('RECIPIENT_UNREACHABLE', name, 'nobody subscribed');
          if (faults.fail || faults.down) throw new TransportError('CHANNEL_UNAVAILABLE', name, 'link is down');
          if (faults.acceptAfterMs) await new Promise((resolve) => setTimeout(resolve, faults.acceptAfterMs));
          if (!faults.drop) for (const tag of route.routingTags) deliverTo(tag, bytes);
          return { channel: name, acceptedAt: Date.now() };
        },
        health(): TransportHealth {
          return faults.down ? { state: 'down', reason: 'test says down', since: 0 } : { state: 'up', since: 0 };
        },
        setDown(down) {
          faults.down = down;
          const health = channel.health();
          for (const listener of subscribers) listener({ type: 'health', health });
        },
        reportClock(offsetMs) {
          for (const listener of subscribers) listener({ type: 'clock', offsetMs });
        },
        subscribe(listener) {
          subscribers.add(listener);
          return () => subscribers.delete(listener);
        },
        roundTrip: () => (faults.roundTripMs === undefined ? undefined : { srttMs: faults.roundTripMs, rttvarMs: 0, samples: 1 }),
      };
      return channel;
    },
  };
}
