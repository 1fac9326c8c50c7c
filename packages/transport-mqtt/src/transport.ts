import { roundTripTimer, transportLifecycle, TransportError, type Route, type SendReceipt, type Transport } from '@herald/core';
import { backoff, delay } from './backoff.js';
import { ConnectFailure, openConnection, type BrokerConnection } from './connection.js';
import { healthTracker } from './health.js';
import { inbound } from './inbound.js';
import { resolveMqttInit, type MqttTransportInit, type ResolvedMqttInit } from './init.js';
import { sessionPerTagTransport } from './session-per-tag.js';
import { sendEnvelope } from './send.js';
import { subscriptions, type Subscriptions } from './subscriptions.js';
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
  return options.sessionPerTag ? sessionPerTagTransport(options, mqttChannel) : mqttChannel(options);
}

/** One client and session collecting every tag it is given (see mqttTransport). */
function mqttChannel(options: ResolvedMqttInit): Transport {
  const channel = options.name;
  const health = healthTracker();
  /** The round trip to the broker, kept across reconnections: every timeout of the link follows it. */
  const rtt = roundTripTimer();
  let current: BrokerConnection | undefined;
  let loop: Promise<void> | undefined;
  let receiving: ReturnType<typeof inbound> | undefined;
  let collected: Subscriptions | undefined;

  async function run(firstAttempt: () => void): Promise<void> {
    const delays = backoff(options.minReconnectDelayMs, options.maxReconnectDelayMs);
    const signal = lifecycle.signal;
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
        // The set as of this attempt: an update during the attempt is caught up with below, once connected.
        const tags = collected?.tags() ?? [];
        const connection = await openConnection(options, version, tags.map((tag) => topicFor(options.topicPrefix, tag)), {
          onMessage: (from, packet, done) => (receiving ? receiving.offer(from, packet, done) : done(new Error('not receiving'))),
          onClosed: (reason) => {
            current = undefined;
            if (!signal.aborted) health.set('down', reason);
            closed();
          },
          onWarning: (message) => health.error(new Error(`${channel}: ${message}`)),
        }, signal, rtt, prove ? options.proofLogin?.() : undefined);
        if (!settled && version === 4) settled = true;
        if (connectedBefore && !connection.sessionPresent) {
          health.error(new Error(`${channel}: the broker did not keep this client's session (restarted without persistence, or the session expired): envelopes queued for it meanwhile are lost; end-to-end acks will bring them again`));
        }
        connectedBefore = true;
        reported = undefined;
        current = connection;
        delays.reset();
        // Unsubscriptions owed to the session, and tags added while connecting.
        await collected?.sync(connection, tags).catch((error: unknown) => health.error(error instanceof Error ? error : new Error(String(error))));
        if (!signal.aborted && connection.isOpen) health.set('up');
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

  const lifecycle = transportLifecycle({
    channel,
    isRoutingTag,
    open(start) {
      const tags = subscriptions(options.topicPrefix, start.routingTags);
      collected = tags;
      receiving = inbound({ channel, topicPrefix: options.topicPrefix, accepts: tags.accepts, maxEnvelopeBytes: options.maxEnvelopeBytes, maxPending: options.maxPendingDeliveries, deliver: start.deliver, onMoved: (at) => health.moved(at), onDropped: (error) => health.error(error), signal: lifecycle.signal });
      health.set('down', 'connecting');
      // Resolves after the first attempt (bounded by connectTimeoutMs), so a send right after start finds the link up; never fails on a broker that is down.
      return new Promise<void>((firstDone) => {
        loop = run(firstDone);
        // Stopped before a first attempt ended: the loop is over, and so is the start.
        loop.then(firstDone, firstDone);
      });
    },
    stopped: () => health.set('down', 'stopped'),
    async close(hurry) {
      const cutShort = new Promise<void>((resolve) => (hurry.aborted ? resolve() : hurry.addEventListener('abort', () => resolve(), { once: true })));
      // Deliveries under way finish first, while the link is still open, so their PUBACKs reach the broker.
      await Promise.race([receiving?.drained(), cutShort]);
      const connection = current;
      current = undefined;
      await connection?.close();
      await Promise.race([loop, cutShort]);
    },
  });

  const transport: Transport = {
    name: channel,
    capabilities: Object.freeze({ maxEnvelopeBytes: options.maxEnvelopeBytes, requiresPeerOnline: false, storeAndForward: true, delivery: 'push' as const }),
    start: (start) => lifecycle.start(start),
    stop: (stopOptions) => lifecycle.stop(stopOptions),
    send: (envelope, route, sendOptions = {}) => lifecycle.send(sendOptions.signal, () => send(envelope, route, sendOptions.signal)),
    updateRoutingTags: (routingTags, updateOptions) =>
      lifecycle.update(routingTags, updateOptions, async (tags) => {
        collected?.replace(tags);
        // Connected: resolves on the SUBACK and UNSUBACK. Not connected (or the link drops meanwhile): the next
        // connection subscribes the new set and unsubscribes the dropped tags; only a broker's refusal fails the update.
        const connection = current;
        await collected?.sync(connection).catch((error: unknown) => {
          if (connection?.isOpen) throw error;
        });
      }),
    health: () => health.current(),
    subscribe: (listener) => health.subscribe(listener),
    roundTrip: () => rtt.estimate(),
  };

  async function send(envelope: Uint8Array, route: Route, signal: AbortSignal | undefined): Promise<SendReceipt> {
    if (!(envelope instanceof Uint8Array)) throw new TransportError('CHANNEL_REJECTED', channel, 'send: envelope must be a Uint8Array', { retryable: false });
    if (envelope.length > options.maxEnvelopeBytes) throw new TransportError('CHANNEL_TOO_SMALL', channel, `send: envelope of ${envelope.length} bytes exceeds maxEnvelopeBytes (${options.maxEnvelopeBytes})`, { retryable: false });
    const tags = route?.routingTags;
    if (!Array.isArray(tags) || tags.length === 0 || !tags.every(isRoutingTag)) throw new TransportError('CHANNEL_REJECTED', channel, 'send: route.routingTags must be lowercase hex routing tags', { retryable: false });
    const connection = current;
    // No queueing while the link is down: the node's durable outbox keeps the envelope and the router fails over.
    if (!connection?.isOpen) throw new TransportError('CHANNEL_UNAVAILABLE', channel, `send: not connected to the broker (${health.current().reason ?? 'down'})`);
    if (lifecycle.sendsInFlight >= options.maxPendingSends) throw new TransportError('QUOTA_EXCEEDED', channel, `send: ${options.maxPendingSends} sends already await the broker (maxPendingSends)`);
    await sendEnvelope(connection, options, envelope, [...new Set(tags)], signal, rtt);
    const acceptedAt = Date.now();
    health.moved(acceptedAt);
    return { channel, acceptedAt };
  }

  return transport;
}
