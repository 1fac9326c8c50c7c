import { createServer, connect, type Server, type Socket } from 'node:net';
import type { LinkFault } from '../scenario/types.js';
import { pump, type Pump } from './pump.js';

/** Connections held open in a blackhole; more are reset, so a reconnecting client cannot pile up sockets. */
const MAX_HELD = 64;
const MAX_CONNECTIONS = 512;

export interface FaultProxy {
  readonly port: number;
  /** Bytes forwarded client → service and service → client, over all connections. */
  bytes(): { up: number; down: number };
  /** Where connections go; changes when a service restarts on a new port. Existing connections stay as they are. */
  setUpstream(port: number): void;
  /** Applies a fault to existing and new connections; undefined heals the link. */
  setFault(fault: LinkFault | undefined): void;
  close(): Promise<void>;
}

/** How long a side whose peer hung up may take to close in turn before it is cut. */
const HANG_UP_GRACE_MS = 5_000;

interface Link {
  readonly client: Socket;
  upstream?: Socket;
  pumps: Pump[];
}

/**
 * A TCP proxy on 127.0.0.1 between one node and one service, so that a cut is a
 * real TCP fault the transport must notice by itself: blackhole (connections
 * accepted and then silent; data waits, as on a dead route), reset (RST on
 * every connection, new ones too), delay, bandwidth cap and dropped data.
 */
export async function startProxy(upstreamPort: number): Promise<FaultProxy> {
  let upstream = upstreamPort;
  let fault: LinkFault | undefined;
  const links = new Set<Link>();
  let closedBytes = { up: 0, down: 0 };

  const reset = (socket: Socket | undefined): void => {
    if (socket && !socket.destroyed) socket.resetAndDestroy();
  };
  const drop = (link: Link): void => {
    if (!links.delete(link)) return;
    closedBytes = { up: closedBytes.up + (link.pumps[0]?.bytes ?? 0), down: closedBytes.down + (link.pumps[1]?.bytes ?? 0) };
    for (const each of link.pumps) each.stop();
    link.client.destroy();
    link.upstream?.destroy();
  };
  /** The other side hung up cleanly and all it sent has been passed on: end `socket` (FIN after the data), then drop. */
  const hangUp = (link: Link, socket: Socket): void => {
    if (!links.has(link)) return;
    socket.end();
    socket.once('close', () => drop(link));
    setTimeout(() => drop(link), HANG_UP_GRACE_MS).unref();
  };
  const held = (): number => [...links].filter((link) => !link.upstream).length;

  const wire = (link: Link): void => {
    const service = connect({ host: '127.0.0.1', port: upstream });
    link.upstream = service;
    service.on('error', () => drop(link));
    // A service that answers and hangs up (a broker's CONNACK refusing a login, then FIN): what it said is still on its
    // way down a delayed link, as on a real one, so the connection ends once that has arrived.
    service.on('close', (hadError) => (hadError ? drop(link) : link.pumps[1]?.whenEmpty(() => hangUp(link, link.client))));
    link.pumps = [pump(link.client, service, () => fault), pump(service, link.client, () => fault)];
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    client.on('error', () => undefined);
    if (fault?.mode === 'reset' || links.size >= MAX_CONNECTIONS || (fault?.mode === 'blackhole' && held() >= MAX_HELD)) return reset(client);
    const link: Link = { client, pumps: [] };
    links.add(link);
    client.on('close', (hadError) => (hadError || !link.pumps[0] || !link.upstream ? drop(link) : link.pumps[0].whenEmpty(() => hangUp(link, link.upstream!))));
    // In a blackhole the connection is accepted and then hears nothing; it is wired when the link heals.
    if (fault?.mode === 'blackhole') return;
    wire(link);
    client.resume();
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  return {
    port,
    bytes() {
      let { up, down } = closedBytes;
      for (const link of links) {
        up += link.pumps[0]?.bytes ?? 0;
        down += link.pumps[1]?.bytes ?? 0;
      }
      return { up, down };
    },
    setUpstream(port) {
      upstream = port;
    },
    setFault(next) {
      fault = next;
      for (const link of [...links]) {
        if (next?.mode === 'reset') {
          reset(link.client);
          reset(link.upstream);
          drop(link);
        } else if (next?.mode === 'blackhole') {
          link.client.pause();
          link.upstream?.pause();
        } else {
          if (!link.upstream) wire(link);
          link.client.resume();
          link.upstream?.resume();
          for (const each of link.pumps) each.setFault(next);
        }
      }
    },
    async close() {
      for (const link of [...links]) drop(link);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
