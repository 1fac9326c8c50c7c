import { TransportError, unlessAborted, type InboundEnvelope, type RoundTripTimer, type TransportStartOptions } from '@herald/core';
import { backoff, delay } from './backoff.js';
import { connect, type Authenticator, type RelayConnection } from './connection.js';
import { deliveries } from './deliveries.js';
import { aborted } from './errors.js';
import type { ResolvedInit } from './init.js';

export interface LinkEvents {
  readonly deliver: TransportStartOptions['deliver'];
  /** The link went up or down: the transport recomputes its health from all its links. */
  onState(): void;
  onClock(offsetMs: number): void;
  /** A delivery or connection failure worth reporting (the link retries by itself). */
  onError(error: Error): void;
  onMoved(at: number): void;
}

/**
 * One authenticated connection to the relay, kept open: reopened with jittered backoff after each loss, until closed.
 * The transport keeps one for its identity (AUTH) and one per epoch tag (MAILBOX_AUTH). Pushed envelopes go through
 * the link's own deliveries, so a link closed for a dropped tag can finish delivering what it was pushed first.
 */
export interface Link {
  readonly isUp: boolean;
  /** Why it is down, for health. */
  readonly reason: string;
  /** Resolves after the first connection attempt ended (bounded by connectTimeoutMs), up or not. */
  readonly started: Promise<void>;
  /** The open connection, after waiting for an attempt under way; fails at once when the link is known to be down. */
  connected(signal: AbortSignal | undefined): Promise<RelayConnection>;
  /** Stops reconnecting: deliveries under way finish first (until `hurry` aborts), then the connection closes. */
  close(hurry: AbortSignal): Promise<void>;
}

export function openLink(options: ResolvedInit, authenticate: Authenticator, events: LinkEvents, parent: AbortSignal, rtt: RoundTripTimer): Link {
  const channel = options.name;
  const stopped = new AbortController();
  const stopOnParent = (): void => stopped.abort();
  parent.addEventListener('abort', stopOnParent, { once: true });
  const signal = stopped.signal;
  const inbound = deliveries({ channel, maxPending: options.maxPendingDeliveries, deliver: events.deliver, deliverIn: (bytes): InboundEnvelope => ({ bytes, channel, receivedAt: Date.now() }), onMoved: events.onMoved, onError: events.onError, signal });
  let current: RelayConnection | undefined;
  let attempt: Promise<void> | undefined;
  let reason = 'connecting';

  const down = (why: string): void => {
    reason = why;
    events.onState();
  };

  async function run(firstAttempt: () => void): Promise<void> {
    const delays = backoff(options.minReconnectDelayMs, options.maxReconnectDelayMs);
    while (!signal.aborted) {
      let closed!: () => void;
      const ended = new Promise<void>((resolve) => (closed = resolve));
      let connectError: TransportError | undefined;
      attempt = connect(options, authenticate, {
        onPush: (deliveryId, bytes, connection) => inbound.push(deliveryId, bytes, connection),
        onClock: events.onClock,
        onClosed: (why) => {
          current = undefined;
          if (!signal.aborted) down(why);
          closed();
        },
      }, signal, rtt).then(
        (connection) => {
          current = connection;
          delays.reset();
          events.onState();
        },
        (error: TransportError) => {
          connectError = error;
          if (!signal.aborted) down(error.message);
          closed();
        },
      );
      await attempt;
      firstAttempt();
      if (connectError?.code === 'CHANNEL_REJECTED') events.onError(connectError);
      await ended;
      if (signal.aborted) break;
      await delay(delays.next(), signal);
    }
  }

  let loop!: Promise<void>;
  const started = new Promise<void>((firstDone) => {
    loop = run(firstDone);
    // Closed before a first attempt ended: the loop is over, and so is the start.
    loop.then(firstDone, firstDone);
  });

  return {
    get isUp() {
      return current?.isOpen === true;
    },
    get reason() {
      return reason;
    },
    started,
    async connected(requestSignal) {
      if (!current?.isOpen && attempt) await unlessAborted(attempt, requestSignal, () => aborted(channel, 'send'));
      const connection = current;
      if (!connection?.isOpen) throw new TransportError('CHANNEL_UNAVAILABLE', channel, reason);
      return connection;
    },
    async close(hurry) {
      const cutShort = new Promise<void>((resolve) => (hurry.aborted ? resolve() : hurry.addEventListener('abort', () => resolve(), { once: true })));
      // Deliveries under way finish first, while the link is still open, so their acks reach the relay.
      await Promise.race([inbound.drained(), cutShort]);
      stopped.abort();
      parent.removeEventListener('abort', stopOnParent);
      current?.close();
      current = undefined;
      await Promise.race([loop, cutShort]);
    },
  };
}
