import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { sourceAddress } from '../policy/source-address.js';

/** The caps of the connection gate, from the relay's options. */
export interface GateLimits {
  readonly maxConnectionsPerAddress: number;
  readonly maxAuthenticating: number;
  readonly maxAuthenticatingPerAddress: number;
}

/**
 * Counts connections per source address, and those still authenticating (from the TCP accept to WELCOME),
 * globally and per address, so that no address can take all connections, and unauthenticated connections — which
 * cost the relay memory and a key agreement but prove nothing — stay few. What it refuses is closed with 4029.
 */
export interface ConnectionGate {
  /** A connection from `address` arrived: undefined when it is let in (and counted), else why it is refused. */
  open(address: string): string | undefined;
  /** A counted connection authenticated: it no longer counts as authenticating. */
  authenticated(address: string): void;
  /** A counted connection closed. */
  closed(address: string, wasAuthenticated: boolean): void;
  readonly authenticating: number;
}

export function connectionGate(limits: GateLimits): ConnectionGate {
  const byAddress = new Map<string, { open: number; authenticating: number }>();
  let authenticating = 0;
  return {
    open(address) {
      const counts = byAddress.get(address) ?? { open: 0, authenticating: 0 };
      if (counts.open >= limits.maxConnectionsPerAddress) return `${limits.maxConnectionsPerAddress} connections from this address already (maxConnectionsPerAddress)`;
      if (counts.authenticating >= limits.maxAuthenticatingPerAddress) return `${limits.maxAuthenticatingPerAddress} connections from this address are still authenticating (maxAuthenticatingPerAddress)`;
      if (authenticating >= limits.maxAuthenticating) return `${limits.maxAuthenticating} connections are still authenticating (maxAuthenticating)`;
      counts.open++;
      counts.authenticating++;
      authenticating++;
      byAddress.set(address, counts);
      return undefined;
    },
    authenticated(address) {
      const counts = byAddress.get(address);
      if (!counts || counts.authenticating === 0) return;
      counts.authenticating--;
      authenticating--;
    },
    closed(address, wasAuthenticated) {
      const counts = byAddress.get(address);
      if (!counts) return;
      counts.open--;
      if (!wasAuthenticated && counts.authenticating > 0) {
        counts.authenticating--;
        authenticating--;
      }
      // Only addresses with open connections are remembered.
      if (counts.open <= 0) byAddress.delete(address);
    },
    get authenticating() {
      return authenticating;
    },
  };
}

/** One TCP connection as the gate sees it: the address it counts under, or why it was refused. */
export interface GatedPeer {
  readonly address: string;
  readonly refused: string | undefined;
  /** It sent an upgrade or an HTTP request (a connection that sends neither is cut). */
  spoke(): void;
  /** It authenticated: it leaves the count of connections still authenticating. */
  authenticated(): void;
}

/**
 * Passes every TCP connection `server` accepts through the gate, from the accept on (so a connection that never
 * sends its upgrade counts too, and is cut after `authTimeoutMs`, or 1 s once refused); returns how to find a
 * socket's verdict at its upgrade, where a refused one is closed with 4029.
 */
export function gateConnections(server: Server, limits: GateLimits & { readonly authTimeoutMs: number }): (socket: Duplex) => GatedPeer | undefined {
  const gate = connectionGate(limits);
  const peers = new WeakMap<Duplex, GatedPeer>();
  server.on('connection', (socket: Socket) => {
    // A decoy hands a socket it answered back to the server as a connection: it is counted already.
    if (peers.has(socket)) return;
    const address = sourceAddress(socket.remoteAddress);
    const refused = gate.open(address);
    let spoke = false;
    let authenticated = false;
    peers.set(socket, {
      address,
      refused,
      spoke: () => void (spoke = true),
      authenticated() {
        if (authenticated || refused) return;
        authenticated = true;
        gate.authenticated(address);
      },
    });
    const silent = setTimeout(() => spoke || socket.destroy(), refused ? 1000 : limits.authTimeoutMs);
    silent.unref();
    socket.once('close', () => {
      clearTimeout(silent);
      if (!refused) gate.closed(address, authenticated);
    });
  });
  server.on('request', (request) => peers.get(request.socket)?.spoke());
  return (socket) => peers.get(socket);
}
