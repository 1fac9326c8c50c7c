import { readFile } from 'node:fs/promises';
import { backoff, delay, OptionsError } from '@herald/core';
import { connect, credsAuthenticator, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { ResolvedNatsStoreOptions } from './options.js';

/** What the store hears of its connection: lost (reconnecting with backoff) and back. */
export interface ConnectionEvents {
  lost(reason: string): void;
  restored(): void;
}

/**
 * Connects to the cluster, trying every server with exponential backoff and jitter until `connectTimeoutMs`; once
 * connected, the client reconnects by itself forever with the same backoff (a relay outlives a cluster outage: it
 * refuses deposits meanwhile and takes them again when the cluster is back).
 */
export async function openNatsConnection(options: ResolvedNatsStoreOptions, events: ConnectionEvents): Promise<NatsConnection> {
  const reconnect = backoff(options.reconnectMinMs, options.reconnectMaxMs);
  const settings: NodeConnectionOptions = {
    servers: [...options.servers],
    name: 'herald-relay',
    maxReconnectAttempts: -1,
    reconnectDelayHandler: () => reconnect.next(),
    timeout: Math.min(options.connectTimeoutMs, 10_000),
    // A ping every 5 s, lost after 3: a node that died without closing its socket is left within about 15 s.
    pingInterval: 5_000,
    maxPingOut: 3,
    ...(options.user !== undefined && options.password !== undefined ? { user: options.user, pass: options.password } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
  };
  if (options.credentialsFile !== undefined) {
    const creds = await readFile(options.credentialsFile).catch((error: NodeJS.ErrnoException) => {
      throw new OptionsError(`store: credentialsFile: cannot read ${options.credentialsFile}: ${error.code ?? error.message}`, { cause: error });
    });
    settings.authenticator = credsAuthenticator(new Uint8Array(creds));
  }
  if (options.tls !== undefined || options.servers.some((server) => server.startsWith('tls://'))) settings.tls = { ...options.tls };
  const first = backoff(options.reconnectMinMs, options.reconnectMaxMs);
  const deadline = Date.now() + options.connectTimeoutMs;
  let connection: NatsConnection | undefined;
  for (;;) {
    try {
      connection = await connect(settings);
      break;
    } catch (error) {
      const message = (error as Error).message;
      // Wrong credentials or certificates do not get better by waiting.
      if (/certificate|self.signed|altnames|CERT_/i.test(message)) throw new OptionsError(`store: the NATS cluster's TLS certificate did not verify (${message}): give tls.caFile the CA that signed it, and a server URL its certificate names`, { cause: error });
      if (/authorization|authentication|certificate|tls|ssl/i.test(message)) throw new OptionsError(`store: the NATS cluster refused the connection: ${message}`, { cause: error });
      if (Date.now() >= deadline) throw new OptionsError(`store: could not reach the NATS cluster at ${options.servers.join(',')} within ${options.connectTimeoutMs} ms: ${message}`, { cause: error });
      await delay(Math.min(first.next(), Math.max(0, deadline - Date.now())));
    }
  }
  void watchStatus(connection, events, () => reconnect.reset());
  return connection;
}

async function watchStatus(connection: NatsConnection, events: ConnectionEvents, connected: () => void): Promise<void> {
  for await (const status of connection.status()) {
    if (status.type === 'disconnect') events.lost(`lost the NATS cluster (${status.server}): reconnecting`);
    else if (status.type === 'reconnect') {
      connected();
      events.restored();
    }
  }
}
