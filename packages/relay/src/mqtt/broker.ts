import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { Registry } from 'prom-client';
import { OptionsError } from '@herald/core';
import type { Logger } from '../log.js';
import { mqttAuthenticator, mqttUrlPolicy } from './auth.js';
import { openBrokerPersistence } from './persistence.js';
import { guardedSocket, packetFraming } from './packet-guard.js';
import { MAX_SUBSCRIPTIONS_PER_SESSION, QueueFullError, type QueueLimits } from './sessions.js';
import { mqttBrokerMetrics } from './broker-metrics.js';
import type { BrokerRecords } from '../store/broker-records.js';

export interface MqttBrokerInit {
  readonly host: string;
  readonly port: number;
  /** Where the broker keeps its sessions (the relay store's, `RelayStore.openBrokerRecords`); closed with the broker. */
  readonly records: BrokerRecords;
  /** Larger publishes are refused (the connection is closed: MQTT 3.1.1 has no reason code for it). */
  readonly maxEnvelopeBytes: number;
  /** What the queues hold at most, per session, per publishing client and in all (they are kept in memory too); a publish beyond is refused. */
  readonly queueLimits: QueueLimits;
  /** Connections open at once; more are refused (the relay's maxConnections). */
  readonly maxConnections: number;
  /** Persistent sessions (clients with subscriptions) kept at most; a new client's SUBSCRIBE beyond is refused (the relay's mqttMaxSessions). */
  readonly maxSessions: number;
  /** A session whose client has been away this long is ended: subscriptions and queued messages (the relay's mqttSessionExpirySeconds). */
  readonly sessionExpiryMs: number;
  /** How often sessions are checked for expiry (the relay's purgeIntervalMs). */
  readonly sweepIntervalMs: number;
  /** Admit clients without an identity proof too (the relay's mqttAnonymous). */
  readonly anonymous: boolean;
  /** Signing keys (hex) that may publish / subscribe (the relay's allowDeposit / allowCollect); undefined: anyone admitted. */
  readonly depositors: ReadonlySet<string> | undefined;
  readonly collectors: ReadonlySet<string> | undefined;
  /** The relay's publicUrls: their hosts name this broker too in identity proofs. */
  readonly publicUrls: readonly string[] | undefined;
  /** The relay's mqttPublicUrls: addresses that lead to this broker (a port forward, a TLS terminator), named exactly. */
  readonly mqttPublicUrls?: readonly string[] | undefined;
  readonly log: Logger;
  /** The relay's metrics registry (served on its --metrics listener): the broker's metrics (broker-metrics.ts) join it. */
  readonly registry: Registry;
}

export interface MqttBrokerHandle {
  /** `mqtt://host:port` as bound. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The relay's embedded MQTT broker (`herald relay --mqtt HOST:PORT`), so an
 * mqtt:// channel needs no outside broker: Aedes (MQTT 3.1.1; the transport
 * falls back to it from 5) on a durable persistence (persistence.ts) in the relay's store,
 * sessions and queued envelopes kept across restarts. Rules beyond plain MQTT:
 *
 * - no retained messages and no `$` topics: Herald uses neither, and a retained
 *   envelope would outlive every session;
 * - no wildcard subscriptions: a client must name the exact topic, i.e. know
 *   the routing tag, so nobody can list or collect everyone's envelopes with `#`;
 * - only clients that prove an identity key in their CONNECT are admitted
 *   (auth.ts), unless `anonymous`; the relay's allow-lists decide who may
 *   publish (allowDeposit) and subscribe (allowCollect);
 * - nothing about clients, topics or envelopes is logged; only counts;
 * - memory per connection is bounded: a packet whose header declares more than
 *   maxEnvelopeBytes plus room for its fields ends the connection before its
 *   body is buffered (packet-guard.ts); connections are capped at the
 *   relay's maxConnections;
 * - persistent sessions are bounded: a session subscribes to at most
 *   MAX_SUBSCRIPTIONS_PER_SESSION topics, and a client without a session may
 *   start one only while fewer than maxSessions exist (SUBACK 0x80 otherwise),
 *   so clients coming and going with new ids cannot grow the broker's memory
 *   and store without bound; and a session whose client has been away for
 *   sessionExpiryMs is ended, so sessions of clients that never come back do
 *   not fill that cap for good;
 * - a PUBACK means the publish is on disk for every session subscribed to its
 *   topic: one that would pass a session's, its publisher's or the broker's
 *   quota (quotas.ts) is refused instead, with no PUBACK and the
 *   connection closed, so one client cannot fill the broker with sessions of
 *   its own and the broker never acknowledges what it drops; so is a publish
 *   while the disk holds less than minFreeBytes (LMDB must never meet a full
 *   disk: see store-lmdb's free-space.ts).
 */
export async function startMqttBroker(init: MqttBrokerInit): Promise<MqttBrokerHandle> {
  const store = await openBrokerPersistence(init.records, init.queueLimits);
  let sessionRefusals = 0;
  const sockets = new Set<Socket>();
  // A session's age counts from its client's last connection; a connected client's session never expires.
  // Counted per id, not a set: on a takeover the old connection's disconnect may come after the new one's connect.
  const live = new Map<string, number>();
  const metrics = mqttBrokerMetrics(
    init.registry,
    {
      sockets: () => sockets.size,
      clients: () => live.size,
      sessions: () => store.sessions,
      queued: () => store.queuedSplit(live.keys()),
    },
    { maxMessages: init.queueLimits.maxMessages, maxBytes: init.queueLimits.maxBytes, maxSessions: init.maxSessions },
  );
  // Which signed URLs name this broker is known once it listens (port 0 picks one); until then none.
  let urlAllowed: (url: string) => boolean = () => false;
  /**
   * Subscriptions granted. Aedes stores a persistent client's whole SUBSCRIBE as soon as one topic in it is granted,
   * topics refused or not yet checked included: only granted ones are stored here, or one granted topic would carry
   * any other past the checks (a mailbox proof's one topic, the per-session cap).
   */
  const grantedSubscriptions = new WeakSet<object>();
  const persistence = store.persistence as { addSubscriptions(client: unknown, subscriptions: readonly object[]): Promise<unknown> };
  const storeSubscriptions = persistence.addSubscriptions;
  persistence.addSubscriptions = (client, subscriptions) => storeSubscriptions(client, subscriptions.filter((subscription) => grantedSubscriptions.has(subscription)));
  const auth = mqttAuthenticator({ anonymous: init.anonymous, depositors: init.depositors, collectors: init.collectors, urlAllowed: (url) => urlAllowed(url), onRefused: (reason) => metrics.loginsRefused.inc({ reason }) });
  const broker = await Aedes.createBroker({
    persistence: store.persistence,
    // Herald's derived client ids are 32 hex characters, above 3.1's 23.
    maxClientsIdLength: 64,
    drainTimeout: 30_000,
    authenticate: (client, username, password, callback) => auth.authenticate(client, username ?? undefined, password ?? undefined, callback),
    authorizePublish(client, packet, callback) {
      if (client && !auth.mayPublish(client)) return callback(new Error('this identity may not publish here (allowDeposit)'));
      if (packet.retain) return callback(new Error('retained messages are not allowed'));
      if (packet.topic.startsWith('$')) return callback(new Error('$ topics are reserved'));
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      if (payload.length > init.maxEnvelopeBytes) return callback(new Error(`payload larger than ${init.maxEnvelopeBytes} bytes`));
      if (packet.qos === 0 || typeof packet.payload === 'string') return callback(null);
      // Aedes PUBACKs right after this hook, before its own persistence step: store the envelope now, so a PUBACK means
      // "on disk for every subscriber". One that does not fit everywhere is refused: an error here ends the connection
      // without a PUBACK (MQTT 3.1.1 has no negative PUBACK), and the publisher's transport fails that send, retryably.
      store.preStore(client?.id ?? '', packet.topic, payload).then(
        (copies) => {
          if (copies === 0) metrics.publishesUnrouted.inc();
          callback(null);
        },
        (error: unknown) => {
          metrics.publishesRefused.inc({ reason: error instanceof QueueFullError ? error.reason : 'store' });
          callback(error as Error);
        },
      );
    },
    authorizeSubscribe(client, subscription, callback) {
      const held = client ? store.subscriptionsOf(client.id) : new Set<string>();
      const full = !held.has(subscription.topic) && (held.size >= MAX_SUBSCRIPTIONS_PER_SESSION || (held.size === 0 && store.sessions >= init.maxSessions));
      if (full) {
        sessionRefusals++;
        metrics.subscriptionsRefusedFull.inc();
      }
      const refused = full || /[+#]/.test(subscription.topic) || subscription.topic.startsWith('$') || (client !== null && !auth.maySubscribe(client, subscription.topic));
      if (!refused) grantedSubscriptions.add(subscription);
      // Negated (SUBACK 0x80), not an error: the client learns the refusal and keeps its connection.
      callback(null, refused ? null : subscription);
    },
  });

  broker.on('client', (client) => {
    live.set(client.id, (live.get(client.id) ?? 0) + 1);
    store.seen(client.id, Date.now());
  });
  broker.on('clientDisconnect', (client) => {
    const left = (live.get(client.id) ?? 1) - 1;
    if (left > 0) live.set(client.id, left);
    else live.delete(client.id);
    store.seen(client.id, Date.now());
  });
  const connected = (clientId: string): boolean => live.has(clientId);
  let expiredSessions = 0;
  let sweeping: Promise<void> | undefined;
  const sweep = setInterval(() => {
    auth.forgetStale();
    sweeping ??= store
      .expire(Date.now() - init.sessionExpiryMs, connected)
      .then(
        (count) => {
          expiredSessions += count;
          // How many only: never which clients or topics.
          if (count > 0) init.log.info({ sessions: count }, 'mqtt sessions expired');
        },
        (error: unknown) => init.log.error({ err: { message: (error as Error).message } }, 'expiring mqtt sessions failed'),
      )
      .finally(() => (sweeping = undefined));
  }, init.sweepIntervalMs);
  sweep.unref();
  let refusals = 0;
  broker.on('clientError', (_client, error) => {
    refusals++;
    // The message only (e.g. "retained messages are not allowed"): never the client id, topic or address.
    init.log.debug({ err: error.message }, 'mqtt client error');
  });
  // Room beside the envelope for a topic and, in a CONNECT, every 64 KiB string field (client id, will, user name, password).
  const maxPacketBytes = init.maxEnvelopeBytes + 4 * 65_540;
  let oversized = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // PUBACKs are tiny: with Nagle's algorithm on they would wait for the client's delayed ACK.
    socket.setNoDelay(true);
    // Memory bounded per connection: a packet declaring more than the limit ends it before its body is buffered.
    broker.handle(
      guardedSocket(socket, packetFraming(maxPacketBytes), (why) => {
        oversized++;
        metrics.packetsRefused.inc({ reason: why.startsWith('malformed') ? 'malformed' : 'oversized' });
      }),
    );
  });
  server.maxConnections = init.maxConnections;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(init.port, init.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    clearInterval(sweep);
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await store.close();
    throw new OptionsError(`mqtt: cannot listen on ${init.host}:${init.port}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  const port = (server.address() as { port: number }).port;
  urlAllowed = mqttUrlPolicy(init.host, port, init.publicUrls, init.mqttPublicUrls ?? []);
  const url = `mqtt://${init.host.includes(':') ? `[${init.host}]` : init.host}:${port}`;
  init.log.info({ url }, 'mqtt broker started');
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close: () =>
      (closing ??= (async () => {
        clearInterval(sweep);
        await sweeping;
        server.close();
        // Closing the broker ends every client's connection; their sessions stay in the store.
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await store.close();
        init.log.info({ clientErrors: refusals, loginsRefused: auth.refused, refusedFull: store.refusedFull, oversizedPackets: oversized, subscriptionsRefusedFull: sessionRefusals, sessionsExpired: expiredSessions }, 'mqtt broker stopped');
      })()),
  };
}
