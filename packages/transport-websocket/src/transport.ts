import { toHex, TransportError, type InboundEnvelope, type Transport } from '@herald/core';
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
  let state: 'created' | 'running' | 'stopped' = 'created';
  let lifetime = new AbortController();
  let current: RelayConnection | undefined;
  /** Settles when the connection attempt under way ends, so a send can wait for it instead of failing. */
  let attempt: Promise<void> | undefined;
  let loop: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let inbound: ReturnType<typeof deliveries> | undefined;

  async function run(firstAttempt: () => void): Promise<void> {
    const delays = backoff(options.minReconnectDelayMs, options.maxReconnectDelayMs);
    const signal = lifetime.signal;
    while (!signal.aborted) {
      let closed!: () => void;
      const ended = new Promise<void>((resolve) => (closed = resolve));
      let connectError: TransportError | undefined;
      attempt = connect(options, {
        onPush: (deliveryId, bytes, connection) => inbound?.push(deliveryId, bytes, connection),
        onClosed: (reason) => {
          current = undefined;
          if (!signal.aborted) health.set('down', reason);
          closed();
        },
      }, signal).then(
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

  const transport: Transport = {
    name: channel,
    capabilities: Object.freeze({ maxEnvelopeBytes: options.maxEnvelopeBytes, requiresPeerOnline: false, storeAndForward: true, delivery: 'push' as const }),

    async start(startOptions) {
      if (startOptions.signal?.aborted) throw aborted(channel, 'start');
      if (state !== 'created') throw new TransportError('CHANNEL_STOPPED', channel, state === 'running' ? 'already started' : 'stopped; make a new transport');
      for (const tag of startOptions.routingTags) {
        // The relay hands a mailbox only to whoever proves its X25519 key; this transport can prove its identity's only.
        if (tag !== ownTag && options.collect) throw new TransportError('CHANNEL_REJECTED', channel, `cannot collect routing tag ${tag}: it is not init.identity's (${ownTag})`);
      }
      state = 'running';
      lifetime = new AbortController();
      inbound = deliveries({ channel, maxPending: options.maxPendingDeliveries, deliver: startOptions.deliver, deliverIn: (bytes): InboundEnvelope => ({ bytes, channel, receivedAt: Date.now() }), onMoved: (at) => health.moved(at), onError: (error) => health.error(error), signal: lifetime.signal });
      health.set('down', 'connecting');
      let firstDone!: () => void;
      const first = new Promise<void>((resolve) => (firstDone = resolve));
      loop = run(firstDone);
      // Wait for the first attempt (bounded by connectTimeoutMs), so a send right after start finds the link up; never fail on a relay that is down.
      const onAbort = (): void => firstDone();
      startOptions.signal?.addEventListener('abort', onAbort, { once: true });
      await first;
      startOptions.signal?.removeEventListener('abort', onAbort);
    },

    stop(stopOptions) {
      if (state === 'created') {
        state = 'stopped';
        health.set('down', 'stopped');
        return Promise.resolve();
      }
      return (stopping ??= (async () => {
        state = 'stopped';
        lifetime.abort();
        health.set('down', 'stopped');
        const cancelled = new Promise<void>((resolve) => stopOptions?.signal?.addEventListener('abort', () => resolve(), { once: true }));
        // Deliveries under way finish first, while the link is still open, so their acks reach the relay.
        await Promise.race([inbound?.drained(), cancelled]);
        current?.close();
        current = undefined;
        await Promise.race([loop, cancelled]);
      })());
    },

    async send(envelope, _route, sendOptions) {
      // No AbortController is made for a send given no signal: it would cost more than the send.
      const signal = sendOptions?.signal;
      if (signal?.aborted) throw aborted(channel, 'send');
      if (state === 'stopped') throw new TransportError('CHANNEL_STOPPED', channel, 'the transport is stopped');
      if (state === 'created') throw new TransportError('CHANNEL_UNAVAILABLE', channel, 'the transport is not started');
      if (envelope.length > options.maxEnvelopeBytes) throw new TransportError('CHANNEL_TOO_SMALL', channel, `envelope of ${envelope.length} bytes exceeds maxEnvelopeBytes ${options.maxEnvelopeBytes}`);
      // An attempt under way (start, a reconnect) is worth waiting for; a link known to be down fails at once so the router fails over.
      if (!current?.isOpen && attempt) await (signal ? Promise.race([attempt, new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))]) : attempt);
      if (signal?.aborted) throw aborted(channel, 'send');
      const connection = current;
      if (!connection?.isOpen) throw new TransportError('CHANNEL_UNAVAILABLE', channel, health.current().reason ?? 'not connected to the relay');
      const acceptedAt = await connection.deposit(envelope, signal);
      health.moved(acceptedAt);
      return { channel, acceptedAt };
    },

    health: () => health.current(),
    subscribe: (listener) => health.subscribe(listener),
  };
  return transport;
}
