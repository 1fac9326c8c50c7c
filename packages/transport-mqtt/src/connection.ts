import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { IClientOptions, IConnackPacket, IDisconnectPacket, IPublishPacket, MqttClient } from 'mqtt';
import { movingDeadline, TIMEOUT_CEILINGS, TransportError, type RoundTripTimer } from '@herald/core';
import { aborted, describeConnectionError, describeReason, fromReasonCode, isLoginRefusal, isPermanentConnectionError, isVersionRefusal, reasonCodeOf } from './errors.js';
import type { ResolvedMqttInit } from './init.js';
import { mqttLibrary, type MqttLibrary } from './mqtt-library.js';
import { packetFraming } from '@herald/protocol';
import { proxyTunnel } from './proxy-tunnel.js';
import { manualPuback } from './puback.js';
import { sendWindow, type Ticket } from './window.js';

/** One MQTT connection, CONNACK received and subscriptions granted. The transport makes a new one after each loss. */
export interface BrokerConnection {
  readonly protocolVersion: 4 | 5;
  readonly sessionPresent: boolean;
  readonly isOpen: boolean;
  /** Resolves on the broker's PUBACK: only then has the broker taken the envelope. */
  publish(topic: string, payload: Buffer, ticket: Ticket): Promise<void>;
  /** PUBACKs an inbound QoS 1 message; false when this connection is gone (the broker then redelivers it). */
  ack(messageId: number): boolean;
  /** Graceful DISCONNECT, which keeps the session and everything it holds. */
  close(): Promise<void>;
  /** Adds QoS 1 subscriptions to the session (updateRoutingTags); resolves on a SUBACK granting them all. */
  subscribe(topics: readonly string[]): Promise<void>;
  /** Removes subscriptions from the session; resolves on the UNSUBACK. */
  unsubscribe(topics: readonly string[]): Promise<void>;
}

/** MQTT 5 PUBACK reason 0x10. */
const NO_MATCHING_SUBSCRIBERS = 16;

export interface ConnectionEvents {
  /** MQTT.js's handleMessage hook: `done()` PUBACKs at once, `done(error)` leaves the message unacknowledged. */
  onMessage(connection: BrokerConnection, packet: IPublishPacket, done: (error?: Error) => void): void;
  /** Called once, when an established connection ends. */
  onClosed(reason: string): void;
  /** Something worth an operator's attention that does not end the connection. */
  onWarning(message: string): void;
}

/** Why a connection could not be made, and whether the broker just does not speak the version we tried. */
export class ConnectFailure extends Error {
  constructor(readonly error: TransportError, readonly versionRefused: boolean, readonly permanent: boolean, readonly loginRefused = false) {
    super(error.message);
  }
}

/** Client id and credentials for one connection, when they differ from the configured ones (an identity proof). */
export interface Login {
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
}

/** Room in a packet besides the payload: fixed header, topic, packet id, properties. */
const PACKET_OVERHEAD = 1024;
/** What an inbound packet may hold besides an envelope before the connection is ended at its header: a longest topic and properties. */
const INBOUND_SLACK = 128 * 1024;

export async function openConnection(init: ResolvedMqttInit, version: 4 | 5, topics: readonly string[], events: ConnectionEvents, signal: AbortSignal, rtt: RoundTripTimer, login?: Login): Promise<BrokerConnection> {
  const library = await mqttLibrary();
  const tunnel = init.proxy === undefined ? undefined : await openTunnel(init, signal, rtt);
  return connectWith(library, init, version, topics, events, signal, rtt, login, tunnel);
}

/** The tunnel through the channel's proxy, failing as a connection failure does (retryable: the proxy may come back). */
async function openTunnel(init: ResolvedMqttInit, signal: AbortSignal, rtt: RoundTripTimer): Promise<Socket> {
  try {
    return await proxyTunnel(init.proxy!, init.broker.host, init.broker.port, rtt.timeout(init.connectTimeoutMs, TIMEOUT_CEILINGS.connectMs, 2), signal);
  } catch (error) {
    if (signal.aborted) throw new ConnectFailure(aborted(init.name, 'connecting'), false, false);
    throw new ConnectFailure(new TransportError('CHANNEL_UNAVAILABLE', init.name, (error as Error).message), false, false);
  }
}

/** MQTT (mqtt://) or TLS then MQTT (mqtts://, with the channel's TLS settings) over an open tunnel. */
function overTunnel(init: ResolvedMqttInit, tunnel: Socket): Socket {
  if (init.broker.protocol === 'mqtt') return tunnel;
  const servername = init.tls?.servername ?? (isIP(init.broker.host) === 0 ? init.broker.host : undefined);
  return tlsConnect({ ...(init.tls ?? {}), socket: tunnel, ...(servername === undefined ? {} : { servername }) } as ConnectionOptions);
}

function connectWith(library: MqttLibrary, init: ResolvedMqttInit, version: 4 | 5, topics: readonly string[], events: ConnectionEvents, signal: AbortSignal, rtt: RoundTripTimer, login: Login | undefined, tunnel: Socket | undefined): Promise<BrokerConnection> {
  const channel = init.name;
  if (signal.aborted) {
    tunnel?.destroy();
    return Promise.reject(new ConnectFailure(aborted(channel, 'connecting'), false, false));
  }
  const startedAt = performance.now();
  // Connecting takes two round trips after TCP (CONNECT → CONNACK, SUBSCRIBE → SUBACK); TLS adds two.
  const connectTimeout = (): number => rtt.timeout(init.connectTimeoutMs, TIMEOUT_CEILINGS.connectMs, init.broker.protocol === 'mqtts' ? 4 : 2);
  const declaredKeepalive = keepaliveFor(init.keepaliveSeconds, rtt);
  const options: IClientOptions = {
    protocol: init.broker.protocol,
    host: init.broker.host,
    port: init.broker.port,
    protocolVersion: version,
    clientId: login?.clientId ?? init.clientId,
    // A persistent session: the broker keeps our subscriptions and queues envelopes while we are away.
    clean: false,
    keepalive: declaredKeepalive,
    // Reconnection is ours (jittered backoff, a fresh client each time), so no stale in-memory queue is replayed.
    reconnectPeriod: 0,
    // MQTT.js's own limit is a backstop; the timer below (which follows the round trip) decides.
    connectTimeout: TIMEOUT_CEILINGS.connectMs,
    // Herald's durable outbox is the queue: nothing is kept in MQTT.js's memory while offline.
    queueQoSZero: false,
    resubscribe: false,
    ...(login ? { username: login.username, password: login.password } : {}),
    ...(login || init.username === undefined ? {} : { username: init.username }),
    ...(login || init.password === undefined ? {} : { password: init.password }),
    ...(version === 5 ? { properties: { sessionExpiryInterval: init.sessionExpirySeconds, receiveMaximum: init.maxPendingDeliveries, maximumPacketSize: init.maxEnvelopeBytes + PACKET_OVERHEAD } } : {}),
    ...(init.tls ?? {}),
  } as IClientOptions;
  const client: MqttClient = tunnel === undefined ? library.connect(options) : new library.MqttClient(() => overTunnel(init, tunnel), options);
  // MQTT.js hands a publish's callback the PUBLISH, not its PUBACK, so a success code other than 0 is caught here:
  // 'packetreceive' comes before the callback. Ids are removed as their callbacks run.
  const storedByNobody = new Set<number>();
  client.on('packetreceive', (packet) => {
    if (packet.cmd === 'puback' && packet.reasonCode === NO_MATCHING_SUBSCRIBERS && packet.messageId !== undefined) storedByNobody.add(packet.messageId);
    const sentAt = packet.cmd === 'pingresp' ? pingsSentAt.shift() : undefined;
    if (sentAt !== undefined) {
      rtt.sample(performance.now() - sentAt);
      fitKeepalive();
    }
  });
  /** performance.now() of each PINGREQ not yet answered, oldest first: the broker answers them in order. */
  const pingsSentAt: number[] = [];
  client.on('packetsend', (packet) => {
    if (packet.cmd !== 'pingreq') return;
    pingsSentAt.push(performance.now());
    // Unanswered for so long the link is being given up on anyway; the bound keeps the queue small.
    if (pingsSentAt.length > 16) pingsSentAt.length = 0;
  });
  /**
   * MQTT.js pings after `keepalive` and gives up half a keep-alive later, which a slow link cannot meet. The keep-alive
   * declared in CONNECT is fixed for the connection (the broker holds us to it), so when the measured round trip needs
   * more, MQTT.js is told the longer one (it then waits long enough for an answer) and this pinger keeps the declared
   * cadence the broker expects. Later connections declare the longer keep-alive at once.
   */
  let pinger: NodeJS.Timeout | undefined;
  const fitKeepalive = (): void => {
    const needed = keepaliveFor(init.keepaliveSeconds, rtt);
    const manager = keepaliveManagerOf(client);
    if (!manager || closed || needed * 1000 <= manager.keepalive) return;
    manager.setKeepalive(needed);
    keepDeclaredCadence();
  };
  /** MQTT.js told a longer keep-alive than the broker holds us to: pings keep the declared cadence. */
  const keepDeclaredCadence = (): void => {
    pinger ??= setInterval(() => {
      if (client.connected) client.sendPing();
    }, declaredKeepalive * 1000);
    pinger.unref();
  };
  /**
   * As the WebSocket heartbeat and TCP's retransmission timer: MQTT.js's first keep-alive time out backs off (its wait
   * doubled, the round-trip timer told) instead of ending the connection, for a link whose round trip just grew is
   * slow, not dead; the link is given up when the longer wait passes unanswered too. A packet from the broker ends it.
   */
  let keepaliveBackedOff = false;
  const keepaliveClient = client as unknown as { onKeepaliveTimeout(): void };
  const giveUp = keepaliveClient.onKeepaliveTimeout.bind(client);
  keepaliveClient.onKeepaliveTimeout = () => {
    const manager = keepaliveManagerOf(client);
    if (keepaliveBackedOff || !manager || closed) return giveUp();
    keepaliveBackedOff = true;
    rtt.timedOut();
    manager.setKeepalive(Math.min(TIMEOUT_CEILINGS.heartbeatMs / 1000, (2 * manager.keepalive) / 1000));
    // Probe again at once (as TCP resends when its timer fires), then at the declared cadence: the broker holds us to it.
    if (client.connected) client.sendPing();
    keepDeclaredCadence();
  };
  client.on('packetreceive', () => {
    keepaliveBackedOff = false;
  });
  // MQTT.js leaves Nagle's algorithm on: a 4-byte PUBACK then waits for the peer's delayed ACK (tens of ms) before it leaves.
  (client.stream as { setNoDelay?: (noDelay: boolean) => unknown } | undefined)?.setNoDelay?.(true);
  let connacked = false;
  let closed = false;
  let lastReason = 'connection closed';
  // MQTT.js's parser holds each inbound packet whole, whatever its header declares, and MQTT 3.1.1 cannot ask a
  // broker for a maximum: a packet declaring more than an envelope and its fields ends the connection at its header.
  const framing = packetFraming(init.maxEnvelopeBytes + INBOUND_SLACK);
  const stream = client.stream as { on?: (event: 'data', listener: (chunk: Buffer) => void) => unknown; destroy?: () => unknown } | undefined;
  stream?.on?.('data', (chunk: Buffer) => {
    const refused = framing.push(chunk);
    if (refused === undefined) return;
    lastReason = `broker sent a ${refused}`;
    stream.destroy?.();
  });
  let window = sendWindow(65_535, () => lost());
  let serverMaxPacket = Number.POSITIVE_INFINITY;
  let sessionPresent = false;
  const lost = (): TransportError =>
    new TransportError('CHANNEL_UNAVAILABLE', channel, `${lastReason} before the broker acknowledged (PUBACK); the envelope may or may not be stored (a 3.1.1 broker that cannot store a publish refuses it this way)`);
  /**
   * Publishes on the wire without a PUBACK yet. MQTT.js keeps those of a persistent session (clean: false) to resend
   * on its own reconnection, which this transport never uses, and so never calls them back when the connection
   * ends: they are failed here, retryably, and the node's outbox sends them again (or over another channel).
   */
  const unacknowledged = new Set<(error: TransportError) => void>();

  const connection: BrokerConnection = {
    protocolVersion: version,
    get sessionPresent() {
      return sessionPresent;
    },
    get isOpen() {
      // From CONNACK on, not only once subscribed: a resumed session's queued envelopes arrive before the SUBACK, and must be PUBACKed too.
      return connacked && !closed && client.connected;
    },
    async publish(topic, payload, ticket) {
      if (!connection.isOpen) throw new TransportError('CHANNEL_UNAVAILABLE', channel, `not connected to the broker (${lastReason})`);
      if (payload.length + topic.length + 16 > serverMaxPacket) throw new TransportError('CHANNEL_TOO_SMALL', channel, `envelope of ${payload.length} bytes exceeds the broker's maximum packet size (${serverMaxPacket})`, { retryable: false });
      const release = await window.acquire(ticket);
      if (closed) {
        release();
        throw lost();
      }
      return new Promise<void>((resolve, reject) => {
        const fail = (error: TransportError): void => {
          unacknowledged.delete(fail);
          release();
          reject(error);
        };
        unacknowledged.add(fail);
        const sentAt = performance.now();
        client.publish(topic, payload, { qos: 1, retain: false }, (error, packet) => {
          if (!unacknowledged.delete(fail)) return;
          release();
          if (!error) rtt.sample(performance.now() - sentAt);
          // MQTT 5's "no matching subscribers" is a success code, but nothing was stored: the recipient never
          // connected to this broker, or its session ended. Not accepted, so the node retries with backoff or fails over.
          const messageId = (packet as { messageId?: number } | undefined)?.messageId;
          if (messageId !== undefined && storedByNobody.delete(messageId) && !error) {
            return reject(new TransportError('RECIPIENT_UNREACHABLE', channel, 'the broker stored nothing: no session has subscribed to the recipient\'s topic yet (PUBACK 16, no matching subscribers)'));
          }
          if (!error) return resolve();
          const code = reasonCodeOf(error);
          reject(code !== undefined ? fromReasonCode(channel, code, 'broker refused the envelope') : closed || !client.connected ? lost() : new TransportError('CHANNEL_UNAVAILABLE', channel, `publish failed: ${describeConnectionError(error)}`, { cause: error }));
        });
      });
    },
    ack(messageId) {
      if (!connection.isOpen) return false;
      return manualPuback(library.writeToStream, client, version, messageId);
    },
    subscribe(more) {
      return new Promise<void>((resolve, reject) => {
        if (!connection.isOpen) return reject(new TransportError('CHANNEL_UNAVAILABLE', channel, `subscribing: not connected to the broker (${lastReason})`));
        const sentAt = performance.now();
        client.subscribe([...more], { qos: 1 }, (error, _requested, suback) => {
          const refusal = error ? subscribeError(channel, error) : refusedGrant(channel, more, suback?.granted, events);
          if (refusal) return reject(refusal);
          rtt.sample(performance.now() - sentAt);
          resolve();
        });
      });
    },
    unsubscribe(fewer) {
      return new Promise<void>((resolve, reject) => {
        if (!connection.isOpen) return reject(new TransportError('CHANNEL_UNAVAILABLE', channel, `unsubscribing: not connected to the broker (${lastReason})`));
        client.unsubscribe([...fewer], (error) => (error ? reject(subscribeError(channel, error)) : resolve()));
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (closed) return resolve();
        const force = setTimeout(() => client.end(true, {}, () => resolve()), 1000);
        client.end(false, {}, () => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };

  // Before any packet can arrive: QoS 1 messages are acknowledged only when the transport says so.
  client.handleMessage = (packet, done) => events.onMessage(connection, packet, done);

  return new Promise<BrokerConnection>((resolve, reject) => {
    let settled = false;
    let lastError: unknown;
    const fail = (failure: ConnectFailure): void => {
      if (settled) return;
      settled = true;
      cleanup();
      closed = true;
      window.close();
      clearInterval(pinger);
      client.end(true);
      reject(failure);
    };
    // Each round-trip sample taken during the attempt may move its deadline.
    const deadline = movingDeadline(rtt, connectTimeout, (limit) => fail(new ConnectFailure(new TransportError('CHANNEL_TIMEOUT', channel, `connecting and subscribing took more than ${limit} ms`), false, false)));
    const onAbort = (): void => fail(new ConnectFailure(aborted(channel, 'connecting'), false, false));
    signal.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      deadline.clear();
      signal.removeEventListener('abort', onAbort);
    };

    client.on('error', (error) => {
      lastError = error;
      lastReason = describeConnectionError(error);
    });
    client.on('disconnect', (packet: IDisconnectPacket) => {
      // An MQTT 5 broker says why it ends the connection (session taken over, shutting down, …).
      lastReason = `broker disconnected: ${describeReason(packet.reasonCode ?? 0)}`;
    });
    client.on('close', () => {
      const code = reasonCodeOf(lastError);
      if (!settled) {
        const error = new TransportError(isPermanentConnectionError(lastError) ? 'CHANNEL_REJECTED' : 'CHANNEL_UNAVAILABLE', channel, lastReason, { cause: lastError, retryable: !isPermanentConnectionError(lastError) });
        // A broker that does not speak MQTT 5 either answers 1/132 or just hangs up before CONNACK.
        return fail(new ConnectFailure(error, isVersionRefusal(code) || (code === undefined && (lastError as { code?: unknown } | undefined)?.code === undefined), isPermanentConnectionError(lastError), isLoginRefusal(code)));
      }
      if (closed) return;
      closed = true;
      clearInterval(pinger);
      window.close();
      for (const fail of [...unacknowledged]) fail(lost());
      client.end(true);
      events.onClosed(lastReason);
    });
    client.once('connect', (connack: IConnackPacket) => {
      // An upper bound (TCP's handshake may be in it), so a slow link's first attempt gets the time it needs.
      rtt.sample(performance.now() - startedAt);
      deadline.rearm();
      fitKeepalive();
      connacked = true;
      sessionPresent = connack.sessionPresent;
      const receiveMaximum = connack.properties?.receiveMaximum;
      if (receiveMaximum !== undefined) window = sendWindow(receiveMaximum, () => lost());
      if (connack.properties?.maximumPacketSize !== undefined) serverMaxPacket = connack.properties.maximumPacketSize;
      if (topics.length === 0) return established0();
      const subscribedAt = performance.now();
      client.subscribe([...topics], { qos: 1 }, (error, _requested, suback) => {
        if (settled) return;
        if (!error) rtt.sample(performance.now() - subscribedAt);
        const refusal = refusedGrant(channel, topics, suback?.granted, events);
        if (refusal) return fail(new ConnectFailure(refusal, false, true));
        if (error) return fail(new ConnectFailure(subscribeError(channel, error), false, true));
        established0();
      });
    });

    function established0(): void {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(connection);
    }
  });
}

/** The refusal in a SUBACK, if any; a QoS 0 grant is only warned about. MQTT.js's second argument repeats the request: the SUBACK holds what was granted. */
function refusedGrant(channel: string, topics: readonly string[], grants: readonly unknown[] | undefined, events: ConnectionEvents): TransportError | undefined {
  const granted = (grants ?? []).map((grant) => (typeof grant === 'number' ? grant : ((grant as { qos?: number }).qos ?? 0x80)));
  const refusedAt = granted.findIndex((qos) => qos >= 0x80);
  if (refusedAt >= 0) return fromReasonCode(channel, granted[refusedAt]!, `broker refused the subscription to ${topics[refusedAt]}`);
  // QoS 0 would let the broker drop envelopes silently: still better than nothing, but an operator must know.
  const downgraded = granted.filter((qos) => qos === 0).length;
  if (downgraded > 0) events.onWarning(`broker granted QoS 0 for ${downgraded} subscription(s): inbound envelopes there are not acknowledged and may be lost`);
  return undefined;
}

function subscribeError(channel: string, error: Error): TransportError {
  const code = reasonCodeOf(error);
  return code !== undefined ? fromReasonCode(channel, code, 'subscribing') : new TransportError('CHANNEL_UNAVAILABLE', channel, `subscribing failed: ${describeConnectionError(error)}`, { cause: error });
}

/** MQTT.js gives a PINGREQ half a keep-alive to be answered: the keep-alive is at least twice the round-trip timeout. */
function keepaliveFor(configuredSeconds: number, rtt: RoundTripTimer): number {
  const answerMs = rtt.estimate() === undefined ? 0 : rtt.timeout(0, TIMEOUT_CEILINGS.heartbeatMs);
  return Math.max(configuredSeconds, Math.ceil((2 * answerMs) / 1000));
}

/** MQTT.js's keep-alive manager (not in its types): its wait, which the round trip may need longer than declared. */
function keepaliveManagerOf(client: MqttClient): { keepalive: number; setKeepalive(seconds: number): void } | null | undefined {
  return (client as { keepaliveManager?: { keepalive: number; setKeepalive(seconds: number): void } | null }).keepaliveManager;
}
