import { OptionsError, tracked, TransportError, type Transport } from '@herald/core';
import { backoff, delay } from './backoff.js';
import { ConnectFailure, openConnection, type BrokerConnection } from './connection.js';
import { aborted } from './errors.js';
import { healthTracker } from './health.js';
import { identityLogin } from '@herald/protocol';
import { inbound } from './inbound.js';
import { resolveMqttInit, type MqttTransportInit } from './init.js';
import { sendEnvelope } from './send.js';
import { isRoutingTag, topicFor } from './topics.js';

/**
 * A channel through an MQTT broker (Mosquitto, the relay's embedded Aedes, …).
 * QoS 1 on a persistent session: the broker holds envelopes while the
 * recipient is away. `send` resolves on the broker's PUBACK and fails at once
 * while disconnected (Herald's durable outbox is the queue, not MQTT.js's
 * memory); inbound envelopes are PUBACKed only after `deliver` resolved.
 * The connection is watched with MQTT keep-alive and reopened with jittered backoff.
 */
export function mqttTransport(init: MqttTransportInit): Transport {
  const options = resolveMqttInit(init);
  const channel = options.name;
  const health = healthTracker();
  let state: 'created' | 'running' | 'stopped' = 'created';
  const lifetime = new AbortController();
  let current: BrokerConnection | undefined;
  let loop: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let receiving: ReturnType<typeof inbound> | undefined;
  const sending = new Set<Promise<unknown>>();

  async function run(topics: readonly string[], firstAttempt: () => void): Promise<void> {
    const delays = backoff(options.minReconnectDelayMs, options.maxReconnectDelayMs);
    const signal = lifetime.signal;
    // 'auto' starts with MQTT 5 and settles on 3.1.1 once a broker refused 5 and took 3.1.1.
    let version: 4 | 5 = options.protocolVersion === 4 ? 4 : 5;
    let settled = options.protocolVersion !== 'auto';
    // 'auto' proves the identity from the first refused login on (the relay's embedded broker asks for it).
    let prove = options.identityProof === 'always';
    let connectedBefore = false;
    /** A lasting refusal (bad password, …) is reported once, not on every retry. */
    let reported: string | undefined;
    while (!signal.aborted) {
      let closed!: () => void;
      const ended = new Promise<void>((resolve) => (closed = resolve));
      let retryAtOnce = false;
      try {
        const connection = await openConnection(options, version, topics, {
          onMessage: (from, packet, done) => (receiving ? receiving.offer(from, packet, done) : done(new Error('not receiving'))),
          onClosed: (reason) => {
            current = undefined;
            if (!signal.aborted) health.set('down', reason);
            closed();
          },
          onWarning: (message) => health.error(new Error(`${channel}: ${message}`)),
        }, signal, prove && options.identity ? identityLogin(options.identity, options.broker.name) : undefined);
        if (!settled && version === 4) settled = true;
        if (connectedBefore && !connection.sessionPresent) {
          health.error(new Error(`${channel}: the broker did not keep this client's session (restarted without persistence, or the session expired): envelopes queued for it meanwhile are lost; end-to-end acks will bring them again`));
        }
        connectedBefore = true;
        reported = undefined;
        current = connection;
        delays.reset();
        if (!signal.aborted) health.set('up');
      } catch (error) {
        // Anything else (MQTT.js refusing an option, the library failing to load) must not end the loop silently.
        const failure = error instanceof ConnectFailure ? error : new ConnectFailure(new TransportError('CHANNEL_UNAVAILABLE', channel, `connecting failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }), false, false);
        if (failure.versionRefused && !settled && version === 5) {
          // Not a failure to report: the broker speaks 3.1.1 only (Aedes, older Mosquitto); try that at once.
          version = 4;
          retryAtOnce = true;
        } else if (failure.loginRefused && !prove && options.identityProof === 'auto') {
          // The broker wants a login and none was configured: prove the identity, at once and from now on.
          prove = true;
          retryAtOnce = true;
        } else {
          if (!settled) version = 5; // 3.1.1 did not work either: the refusal was not about the version
          if (!signal.aborted) health.set('down', failure.error.message.slice(channel.length + 2));
          if (failure.permanent && failure.error.message !== reported) health.error(failure.error);
          reported = failure.permanent ? failure.error.message : undefined;
        }
        closed();
      }
      if (!retryAtOnce) firstAttempt();
      await ended;
      if (signal.aborted) break;
      if (!retryAtOnce) await delay(delays.next(), signal);
    }
  }

  async function stopNow(cancelled: Promise<void>): Promise<void> {
    state = 'stopped';
    health.set('down', 'stopped');
    lifetime.abort();
    // Deliveries under way finish first, while the link is still open, so their PUBACKs reach the broker.
    await Promise.race([receiving?.drained(), cancelled]);
    await Promise.race([Promise.allSettled(sending), cancelled]);
    const connection = current;
    current = undefined;
    await connection?.close();
    await Promise.race([loop, cancelled]);
  }

  const transport: Transport = {
    name: channel,
    capabilities: Object.freeze({ maxEnvelopeBytes: options.maxEnvelopeBytes, requiresPeerOnline: false, storeAndForward: true, delivery: 'push' as const }),

    async start(start) {
      if (typeof start !== 'object' || start === null) throw new OptionsError('start: options are required ({ routingTags, deliver })');
      if (!Array.isArray(start.routingTags)) throw new OptionsError('start: routingTags: expected an array of hex routing tags');
      start.routingTags.forEach((tag, index) => {
        if (!isRoutingTag(tag)) throw new OptionsError(`start: routingTags[${index}]: expected lowercase hex, got ${JSON.stringify(tag)}`);
      });
      if (typeof start.deliver !== 'function') throw new OptionsError('start: deliver: expected a function');
      if (start.signal?.aborted) throw aborted(channel, 'start');
      if (state === 'running') throw new TransportError('CHANNEL_REJECTED', channel, 'start: already started', { retryable: false });
      if (state === 'stopped') throw new TransportError('CHANNEL_STOPPED', channel, 'start: stopped; create a new transport to start again');
      state = 'running';
      const tags = new Set(start.routingTags);
      receiving = inbound({ channel, topicPrefix: options.topicPrefix, routingTags: tags, maxEnvelopeBytes: options.maxEnvelopeBytes, maxPending: options.maxPendingDeliveries, deliver: start.deliver, onMoved: (at) => health.moved(at), onDropped: (error) => health.error(error), signal: lifetime.signal });
      health.set('down', 'connecting');
      // The start signal bounds the transport's running life (the node passes its own lifetime).
      start.signal?.addEventListener('abort', () => void transport.stop().catch(() => undefined), { once: true });
      let firstDone!: () => void;
      const first = new Promise<void>((resolve) => (firstDone = resolve));
      loop = run([...tags].map((tag) => topicFor(options.topicPrefix, tag)), firstDone);
      // Wait for the first attempt (bounded by connectTimeoutMs), so a send right after start finds the link up; never fail on a broker that is down.
      await first;
    },

    async stop(stopOptions) {
      const signal = stopOptions?.signal;
      if (state === 'created') {
        state = 'stopped';
        health.set('down', 'stopped');
        stopping ??= Promise.resolve();
      }
      // The signal only cuts short the wait for deliveries and sends under way; the transport is stopped regardless.
      const cancelled = signal ? new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }))) : new Promise<void>(() => undefined);
      stopping ??= stopNow(cancelled);
      if (signal?.aborted) {
        void stopping.catch(() => undefined);
        throw aborted(channel, 'stop');
      }
      await stopping;
    },

    async send(envelope, route, sendOptions) {
      const signal = sendOptions?.signal;
      if (signal?.aborted) throw aborted(channel, 'send');
      if (state !== 'running') throw new TransportError('CHANNEL_STOPPED', channel, state === 'created' ? 'send: not started' : 'send: stopped');
      if (!(envelope instanceof Uint8Array)) throw new TransportError('CHANNEL_REJECTED', channel, 'send: envelope must be a Uint8Array', { retryable: false });
      if (envelope.length > options.maxEnvelopeBytes) throw new TransportError('CHANNEL_TOO_SMALL', channel, `send: envelope of ${envelope.length} bytes exceeds maxEnvelopeBytes (${options.maxEnvelopeBytes})`, { retryable: false });
      const tags = route?.routingTags;
      if (!Array.isArray(tags) || tags.length === 0 || !tags.every(isRoutingTag)) throw new TransportError('CHANNEL_REJECTED', channel, 'send: route.routingTags must be lowercase hex routing tags', { retryable: false });
      const connection = current;
      // No queueing while the link is down: the node's durable outbox keeps the envelope and the router fails over.
      if (!connection?.isOpen) throw new TransportError('CHANNEL_UNAVAILABLE', channel, `send: not connected to the broker (${health.current().reason ?? 'down'})`);
      if (sending.size >= options.maxPendingSends) throw new TransportError('QUOTA_EXCEEDED', channel, `send: ${options.maxPendingSends} sends already await the broker (maxPendingSends)`);
      await tracked(sending, sendEnvelope(connection, options, envelope, [...new Set(tags)], signal));
      const acceptedAt = Date.now();
      health.moved(acceptedAt);
      return { channel, acceptedAt };
    },

    health: () => health.current(),
    subscribe: (listener) => health.subscribe(listener),
  };
  return transport;
}
