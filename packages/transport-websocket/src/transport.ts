import { fromHex, roundTripTimer, toHex, transportLifecycle, TransportError, unlessAborted, type InboundEnvelope, type SendReceipt, type Transport } from '@herald/core';
import { backoff, delay } from './backoff.js';
import { connect, type RelayConnection } from './connection.js';
import { aborted } from './errors.js';
import { healthTracker } from './health.js';
import { resolveInit, type WebSocketTransportInit } from './init.js';
import { deliveries } from './deliveries.js';

/**
 * A channel through one Herald relay (docs/relay-protocol.md). `send` resolves
 * once the relay has stored the envelope durably; pushed envelopes go to the
 * node and are acknowledged to the relay only after `deliver` resolved. The
 * connection is kept open with heartbeats and reopened with jittered backoff.
 */
export function webSocketTransport(init: WebSocketTransportInit): Transport {
  const options = resolveInit(init);
  const channel = options.name;
  const health = healthTracker();
  const ownTag = toHex(options.identity.card.routingTag);
  /** The round trip to the relay, kept across reconnections: every timeout of the link follows it. */
  const rtt = roundTripTimer();
  let current: RelayConnection | undefined;
  /** Settles when the connection attempt under way ends, so a send can wait for it instead of failing. */
  let attempt: Promise<void> | undefined;
  let loop: Promise<void> | undefined;
  let inbound: ReturnType<typeof deliveries> | undefined;

  async function run(firstAttempt: () => void): Promise<void> {
    const delays = backoff(options.minReconnectDelayMs, options.maxReconnectDelayMs);
    const signal = lifecycle.signal;
    while (!signal.aborted) {
      let closed!: () => void;
      const ended = new Promise<void>((resolve) => (closed = resolve));
      let connectError: TransportError | undefined;
      attempt = connect(options, {
        onPush: (deliveryId, bytes, connection) => inbound?.push(deliveryId, bytes, connection),
        onClock: (offsetMs) => health.clock(offsetMs),
        onClosed: (reason) => {
          current = undefined;
          if (!signal.aborted) health.set('down', reason);
          closed();
        },
      }, signal, rtt).then(
        (connection) => {
          current = connection;
          delays.reset();
          health.set('up');
        },
        (error: TransportError) => {
          connectError = error;
          if (!signal.aborted) health.set('down', error.message);
          closed();
        },
      );
      await attempt;
      firstAttempt();
      if (connectError?.code === 'CHANNEL_REJECTED') health.error(connectError);
      await ended;
      if (signal.aborted) break;
      await delay(delays.next(), signal);
    }
  }

  const lifecycle = transportLifecycle({
    channel,
    open(start) {
      for (const tag of start.routingTags) {
        // The relay hands a mailbox only to whoever proves its X25519 key; this transport can prove its identity's only.
        if (tag !== ownTag && options.collect) throw new TransportError('CHANNEL_REJECTED', channel, `cannot collect routing tag ${tag}: it is not init.identity's (${ownTag})`);
      }
      inbound = deliveries({ channel, maxPending: options.maxPendingDeliveries, deliver: start.deliver, deliverIn: (bytes): InboundEnvelope => ({ bytes, channel, receivedAt: Date.now() }), onMoved: (at) => health.moved(at), onError: (error) => health.error(error), signal: lifecycle.signal });
      health.set('down', 'connecting');
      // Resolves after the first attempt (bounded by connectTimeoutMs), so a send right after start finds the link up; never fails on a relay that is down.
      return new Promise<void>((firstDone) => {
        loop = run(firstDone);
        // Stopped before a first attempt ended: the loop is over, and so is the start.
        loop.then(firstDone, firstDone);
      });
    },
    stopped: () => health.set('down', 'stopped'),
    async close(hurry) {
      const cutShort = new Promise<void>((resolve) => (hurry.aborted ? resolve() : hurry.addEventListener('abort', () => resolve(), { once: true })));
      // Deliveries under way finish first, while the link is still open, so their acks reach the relay.
      await Promise.race([inbound?.drained(), cutShort]);
      current?.close();
      current = undefined;
      await Promise.race([loop, cutShort]);
    },
  });

  /** The open connection, after waiting for an attempt under way (a reconnect); a link known to be down fails at once so the router fails over. */
  async function connected(signal: AbortSignal | undefined): Promise<RelayConnection> {
    if (!current?.isOpen && attempt) await unlessAborted(attempt, signal, () => aborted(channel, 'send'));
    const connection = current;
    if (!connection?.isOpen) throw new TransportError('CHANNEL_UNAVAILABLE', channel, health.current().reason ?? 'not connected to the relay');
    return connection;
  }

  async function send(envelope: Uint8Array, signal: AbortSignal | undefined): Promise<SendReceipt> {
    if (envelope.length > options.maxEnvelopeBytes) throw new TransportError('CHANNEL_TOO_SMALL', channel, `envelope of ${envelope.length} bytes exceeds maxEnvelopeBytes ${options.maxEnvelopeBytes}`);
    const connection = await connected(signal);
    const acceptedAt = await connection.deposit(envelope, signal);
    health.moved(acceptedAt);
    return { channel, acceptedAt };
  }

  return {
    name: channel,
    capabilities: Object.freeze({ maxEnvelopeBytes: options.maxEnvelopeBytes, requiresPeerOnline: false, storeAndForward: true, delivery: 'push' as const }),
    start: (start) => lifecycle.start(start),
    stop: (stopOptions) => lifecycle.stop(stopOptions),
    send: (envelope, _route, sendOptions = {}) => lifecycle.send(sendOptions.signal, () => send(envelope, sendOptions.signal)),
    health: () => health.current(),
    subscribe: (listener) => health.subscribe(listener),
    roundTrip: () => rtt.estimate(),
    // The relay keeps prekeys only for a mailbox the connection proved: a transport that does not collect uploads none.
    prekeys: {
      async upload(bundle, operation = {}) {
        if (!options.collect) throw new TransportError('CHANNEL_REJECTED', channel, 'this channel does not collect its mailbox, so the relay takes no prekeys for it');
        return lifecycle.send(operation.signal, async () => (await connected(operation.signal)).uploadPrekeys(fromHex(ownTag), bundle, operation.signal));
      },
      async fetch(routingTag, operation = {}) {
        if (!/^[0-9a-f]{32}$/.test(routingTag)) throw new TransportError('CHANNEL_REJECTED', channel, `a routing tag is 32 lower-case hex digits, not ${JSON.stringify(routingTag.slice(0, 40))}`);
        const bundle = await lifecycle.send(operation.signal, async () => (await connected(operation.signal)).fetchPrekeys(fromHex(routingTag), operation.signal));
        return bundle.length === 0 ? undefined : bundle;
      },
    },
  };
}
