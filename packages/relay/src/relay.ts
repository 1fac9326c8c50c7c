import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { OptionsError } from '@herald/core';
import { relayProtocol } from '@herald/protocol';
import { depositorAccounts } from './policy/accounts.js';
import { relayAdmission } from './policy/admission.js';
import { gateConnections } from './ws/gate.js';
import { agreementKeys, loadAllowList, signingKeys } from './policy/allow.js';
import type { RelayCore } from './core.js';
import { httpHandler, type RelayHealth } from './http.js';
import { resolveRelayInit, type RelayInit } from './init.js';
import { relayLogger } from './log.js';
import { openRelayStore } from './store/open.js';
import type { MailEntry } from './store/relay-store.js';
import { relayMetrics } from './metrics.js';
import type { MqttBrokerHandle } from './mqtt/broker.js';
import { Session } from './ws/session.js';
import { raiseFrameLimit } from './ws/frame-limit.js';
import { storageHealth } from './store/storage-health.js';
import type { SmtpEndpointHandle } from './smtp/endpoint.js';
import { urlPolicy, withPath } from './ws/urls.js';
import { decoyOf } from './decoy/index.js';
import { loadKnock } from './decoy/knock.js';
import { checkSiteFolder } from './decoy/site.js';

export interface RelayHandle {
  /** `ws://host:port/` as bound (the real port when 0 was asked for); behind a decoy, with the keyed path (`ws://host:port/<knock>`). */
  readonly url: string;
  /** Behind a decoy, publicUrls with the keyed path in place of theirs: the URLs members are given. Else empty. */
  readonly keyedPublicUrls: readonly string[];
  readonly port: number;
  /** `http://host:port/metrics` of the metrics listener; undefined without metricsListen (no /metrics is served). */
  readonly metricsUrl: string | undefined;
  /** The relay's persistent id (hex), as sent in CHALLENGE frames. */
  readonly relayId: string;
  /** `smtp+plain://host:port` of the SMTP deposit endpoint, when `smtp` was set. */
  readonly smtpUrl: string | undefined;
  /** `mqtt://host:port` of the embedded MQTT broker, when `mqtt` was set. */
  readonly mqttUrl: string | undefined;
  /**
   * With admitAuthorities: takes a newer revocation list (file text or binary) and closes revoked clients at once.
   * Throws STALE_REVOCATION_LIST for an older one. Without admitAuthorities: undefined.
   */
  readonly updateRevocations: ((list: string | Uint8Array) => 'updated' | 'unchanged') | undefined;
  /** Graceful shutdown: stop accepting, finish deposits under way, flush LMDB, close. Idempotent. */
  close(): Promise<void>;
}

/** Room above maxEnvelopeBytes before ws itself cuts a frame (1009): slightly oversize envelopes get a typed TOO_LARGE instead. */
const FRAME_SLACK = 64 * 1024;

/** Starts a relay on embedded defaults: LMDB mailboxes in `dataDir`, WebSocket, /healthz on the same port, /metrics only on metricsListen. */
export async function startRelay(init: RelayInit): Promise<RelayHandle> {
  const options = resolveRelayInit(init);
  // Behind a decoy the relay answers only on its keyed path; everyone else meets an ordinary website.
  if (options.decoySite !== undefined) await checkSiteFolder(options.decoySite, 'startRelay');
  const decoy = decoyOf(options);
  const knock = decoy ? await loadKnock(options.dataDir) : undefined;
  const log = relayLogger(options.logLevel);
  const depositors = signingKeys(await loadAllowList(options.allowDeposit, 'allowDeposit'));
  const collectCards = await loadAllowList(options.allowCollect, 'allowCollect');
  const collectors = agreementKeys(collectCards);
  const admission = await relayAdmission(options.admitAuthorities, options.admitRevocations, log);
  const storage = storageHealth(options.storageRetryMs, (failure) => {
    if (failure) log.error({ err: { message: failure.message } }, 'the store refuses writes: deposits are refused, collection goes on');
    else log.info('the store takes writes again: deposits resumed');
  });
  // Deposited through another relay of the cluster: a recipient connected here gets it at once (once core exists).
  let arrived = (_entry: MailEntry): void => undefined;
  const store = await openRelayStore(options, storage, (entry) => arrived(entry));
  const metrics = relayMetrics(store.usage, storage, options, admission ? () => admission.oldestRevocationList() : undefined);
  const sessions = new Set<Session>();
  let policy: ReturnType<typeof urlPolicy> = { allowed: () => false, open: false };
  const accounts = depositorAccounts({
    identity: { maxEnvelopes: options.depositorMaxEnvelopes, maxBytes: options.depositorMaxBytes, depositsPerSecond: options.depositorDepositsPerSecond },
    address: { maxEnvelopes: options.addressMaxEnvelopes, maxBytes: options.addressMaxBytes, depositsPerSecond: options.addressDepositsPerSecond },
    ...options,
  }, store.usage);
  const core: RelayCore = {
    init: options, store, metrics, log, depositors, collectors, admission, accounts,
    urlAllowed: (url) => policy.allowed(url),
    subscribers: new Map(), removing: new Set(), deposits: new Set(), accepting: true,
  };

  arrived = (entry) => {
    for (const subscriber of core.subscribers.get(entry.tag) ?? []) subscriber.offer(entry);
  };

  const health = (): RelayHealth => {
    if (!core.accepting) return { status: 'shutting-down' };
    // Still 200: collection and acknowledgements work, and they are what frees the disk.
    const failure = storage.failure;
    return failure ? { status: 'degraded', reason: failure.message } : { status: 'ok' };
  };
  // The public port answers /healthz only: /metrics (connection counts, refusals, latencies) is for the operator.
  const handler = decoy ? decoy.request : httpHandler(undefined, health);
  const server = createServer(handler);
  // Until WELCOME a connection's frames are capped at PRE_AUTH_MAX_FRAME_BYTES; the session raises its limit to this.
  const maxFrameBytes = options.maxEnvelopeBytes + relayProtocol.ENVELOPE_FRAME_OVERHEAD + FRAME_SLACK;
  const paddedMaxFrameBytes = relayProtocol.frameBucket(options.maxEnvelopeBytes + relayProtocol.ENVELOPE_FRAME_OVERHEAD + relayProtocol.PADDED_HEADER_BYTES);
  const wss = new WebSocketServer({ noServer: true, maxPayload: relayProtocol.PRE_AUTH_MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: false });
  const peerOf = gateConnections(server, options);
  const refuse = (ws: WebSocket, reason: string): void => {
    metrics.rejections.inc({ code: 'TOO_MANY_CONNECTIONS' });
    ws.close(relayProtocol.CLOSE_CODES.TOO_MANY_CONNECTIONS, `TOO_MANY_CONNECTIONS: ${reason}`.slice(0, 120));
    setTimeout(() => ws.terminate(), 1000).unref();
  };
  let connectionNumber = 0;
  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (!core.accepting) return void socket.destroy();
    const peer = peerOf(socket);
    peer?.spoke();
    if (decoy && !knock?.matches(request.url)) return decoy.upgrade(request, socket, head, server);
    // Only the URL outlives the upgrade: a closure below that named `request` would keep the whole request (headers
    // and all) alive in the connection's listeners for as long as the connection lasts.
    const url = request.url;
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.on('error', (error) => {
        // A frame above the limit (ws has sent close 1009 already); cut at once, as for any other socket error.
        if ((error as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') metrics.rejections.inc({ code: 'MESSAGE_TOO_BIG' });
        ws.terminate();
      });
      if (!peer) return void ws.terminate();
      if (peer.refused) return refuse(ws, peer.refused);
      if (sessions.size >= options.maxConnections) return refuse(ws, 'try again later');
      const padded = options.padding && asksFor(url, relayProtocol.PADDING_QUERY_PARAMETER);
      // A padded AUTH or CERTIFICATE is a bucket long: the pre-AUTH limit grows to the bucket of the largest.
      if (padded) {
        try {
          raiseFrameLimit(ws, relayProtocol.PADDED_PRE_AUTH_MAX_FRAME_BYTES);
        } catch (error) {
          log.error({ err: { message: (error as Error).message } }, 'cannot raise the frame limit for a padded connection');
          return void ws.terminate();
        }
      }
      const session = new Session(core, ws, ++connectionNumber, {
        address: peer.address,
        maxFrameBytes: padded ? Math.max(maxFrameBytes, paddedMaxFrameBytes) : maxFrameBytes,
        wantsTime: asksFor(url, relayProtocol.TIME_QUERY_PARAMETER),
        padded,
        coverPerMinute: padded && options.coverEcho ? Math.min(options.coverMaxFramesPerMinute, askedRate(url, relayProtocol.COVER_QUERY_PARAMETER)) : 0,
        authenticated: () => peer.authenticated(),
      });
      sessions.add(session);
      metrics.connections.inc();
      ws.on('close', (code) => {
        sessions.delete(session);
        metrics.connections.dec();
        session.ended();
        log.debug({ connection: session.number, code }, 'connection closed');
      });
    });
  });
  // Behind a decoy, a malformed request gets node's own answer (400, 431 …), as the site served alone would give.
  if (!decoy) server.on('clientError', (_error, socket) => socket.destroy());

  try {
    await listen(server, options.port, options.host);
  } catch (error) {
    await store.close();
    throw new OptionsError(`listen: cannot listen on ${options.listen}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  const port = (server.address() as AddressInfo).port;
  policy = urlPolicy(options, port, knock?.path);
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  let metricsServer: Server | undefined;
  let metricsUrl: string | undefined;
  if (options.metrics) {
    metricsServer = createServer(httpHandler(metrics.registry, health));
    await listen(metricsServer, options.metrics.port, options.metrics.host);
    const bound = metricsServer.address() as AddressInfo;
    metricsUrl = `http://${options.metrics.host.includes(':') ? `[${options.metrics.host}]` : options.metrics.host}:${bound.port}/metrics`;
  }

  let mqttBroker: MqttBrokerHandle | undefined;
  if (options.mqtt) {
    try {
      // Loaded only when asked for: the broker (Aedes) and the SMTP server are not a relay's every start.
      const { startMqttBroker } = await import('./mqtt/broker.js');
      mqttBroker = await startMqttBroker({ ...options.mqtt, records: await store.openBrokerRecords(), maxEnvelopeBytes: options.maxEnvelopeBytes, queueLimits: { maxPerSession: options.mqttSessionMaxEnvelopes, maxBytesPerSession: options.mqttSessionMaxBytes, maxPerClient: options.mqttClientMaxEnvelopes, maxBytesPerClient: options.mqttClientMaxBytes, maxMessages: options.maxStoredEnvelopes, maxBytes: options.maxStoredBytes }, maxConnections: options.maxConnections, maxSessions: options.mqttMaxSessions, sessionExpiryMs: options.mqttSessionExpirySeconds * 1000, sweepIntervalMs: options.purgeIntervalMs, anonymous: options.mqttAnonymous, depositors, collectors: signingKeys(collectCards), publicUrls: options.publicUrls, mqttPublicUrls: options.mqttPublicUrls, log, registry: metrics.registry });
    } catch (error) {
      server.close();
      metricsServer?.close();
      await store.close();
      throw error;
    }
  }

  let smtpEndpoint: SmtpEndpointHandle | undefined;
  if (options.smtp) {
    try {
      const { startSmtpEndpoint } = await import('./smtp/endpoint.js');
      smtpEndpoint = await startSmtpEndpoint(core, options.smtp);
    } catch (error) {
      server.close();
      metricsServer?.close();
      await store.close();
      throw error;
    }
  }

  const sweep = setInterval(() => {
    for (const session of sessions) {
      if (!session.heardSinceSweep) {
        session.close('HEARTBEAT_TIMEOUT', `silent for ${options.heartbeatIntervalMs} ms after a ping`);
        continue;
      }
      // Above the pause mark at two sweeps in a row: the client is not reading.
      if (session.buffered > options.pauseBufferedBytes && session.bufferedAtLastSweep > options.pauseBufferedBytes) {
        session.close('SLOW_CONSUMER', 'the client does not read what it is sent');
        continue;
      }
      session.bufferedAtLastSweep = session.buffered;
      session.heardSinceSweep = false;
      session.ping();
    }
  }, options.heartbeatIntervalMs);
  const purge = setInterval(() => {
    accounts.sweep(Date.now());
    store.expire(Date.now(), 10_000).then(
      (count) => {
        if (count === 0) return;
        metrics.envelopesExpired.inc(count);
        log.info({ purged: count }, 'purged expired envelopes');
      },
      (error: unknown) => log.error({ err: { message: (error as Error).message } }, 'purge failed'),
    );
  }, options.purgeIntervalMs);

  const listening = `ws://${hostForUrl}:${port}/`;
  const url = knock ? withPath(listening, knock.path) : listening;
  const keyedPublicUrls = knock ? (options.publicUrls ?? []).map((publicUrl) => withPath(publicUrl, knock.path)) : [];
  // The keyed URL is a secret of the members: the log names the listener only.
  log.info({ url: listening, decoy: options.decoyProxy ? 'proxy' : options.decoySite ? 'site' : undefined, relayId: Buffer.from(store.relayId).toString('hex'), store: options.store ? 'nats' : 'lmdb', envelopes: store.usage.envelopes, mailboxes: store.usage.mailboxes, anyUrl: policy.open }, 'relay started');
  if (policy.open) log.warn('listening on a wildcard address without publicUrls: authentications signed for any URL are accepted');

  let closing: Promise<void> | undefined;
  return {
    url,
    keyedPublicUrls,
    port,
    metricsUrl,
    relayId: Buffer.from(store.relayId).toString('hex'),
    smtpUrl: smtpEndpoint?.url,
    mqttUrl: mqttBroker?.url,
    updateRevocations: admission?.update,
    close: () =>
      (closing ??= (async () => {
        core.accepting = false;
        admission?.close();
        // No new SMTP connections; mails already in DATA finish (core.deposits) before the store closes.
        const smtpClosed = smtpEndpoint?.close();
        clearInterval(sweep);
        clearInterval(purge);
        server.close();
        metricsServer?.close();
        // Deposits under way finish (their clients get ACCEPTED) before the store closes.
        const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.shutdownTimeoutMs).unref());
        await Promise.race([Promise.allSettled([...core.deposits]), timeout]);
        for (const session of sessions) session.close('GOING_AWAY', 'relay shutting down');
        await mqttBroker?.close();
        await smtpClosed;
        await store.close();
        server.closeAllConnections();
        metricsServer?.closeAllConnections();
        log.info('relay stopped');
        await new Promise<void>((resolve) => log.flush(() => resolve()));
      })()),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Whether an upgrade request's query asks for the relay's clock in WELCOME (docs/relay-protocol.md, section 3). */
/** The whole number `parameter` is set to in the upgrade request's query (0 when absent or not a whole number ≥ 0). */
function askedRate(url: string | undefined, parameter: string): number {
  const value = Number(new URLSearchParams(url?.split('?')[1] ?? '').get(parameter) ?? 0);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** Whether the upgrade request's query sets `parameter` to 1 (an opt-in a relay that does not know it ignores). */
function asksFor(url: string | undefined, parameter: string): boolean {
  const query = url?.split('?')[1];
  return query !== undefined && new URLSearchParams(query).get(parameter) === '1';
}
