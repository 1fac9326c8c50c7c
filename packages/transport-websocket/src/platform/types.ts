import type { ResolvedProxy } from '@herald/core';
import type { CorkingSender } from '@herald/protocol/relay';
import type { WebSocketTlsOptions } from '../init.js';

/** What a relay connection hears from its socket: ws's event names, with plain bytes and strings. */
export interface RelaySocketEvents {
  /** The socket failed (before or after opening); a close follows. */
  error: (error: unknown) => void;
  /** The server answered the upgrade with plain HTTP (Node only: a page sees just an error). */
  'unexpected-response': (statusCode: number) => void;
  /** The upgrade was answered (under Node; in a page, the socket opened): a first round-trip sample. */
  upgrade: () => void;
  /** A pong, with the payload of the ping it answers (Node only: a page never sees pongs). */
  pong: (data: Uint8Array) => void;
  message: (data: Uint8Array, isBinary: boolean) => void;
  close: (code: number, reason: string) => void;
}

export interface RelaySocketOptions {
  readonly connectTimeoutMs: number;
  /** The biggest message accepted (Node only: a page's WebSocket has no such limit, the frame decoder checks lengths). */
  readonly maxPayload: number;
  readonly localAddress: string | undefined;
  readonly tls: WebSocketTlsOptions | undefined;
  /** The proxy to go through (Node only: a page goes through the browser's own proxy settings). */
  readonly proxy: ResolvedProxy | undefined;
  /** How long the proxy may take to open the tunnel. */
  readonly proxyTimeoutMs: number;
}

/** A WebSocket to the relay: `ws` under Node (platform/node.ts), the page's own WebSocket in a browser (platform/browser.ts). */
export interface RelaySocket {
  readonly isOpen: boolean;
  /** Sends a binary frame; under Node, frames of one event-loop pass leave in one write (protocol/cork.ts). */
  readonly send: CorkingSender;
  /** False where the platform cannot send pings or see pongs (a page), so the caller cannot time pongs. */
  readonly canPing: boolean;
  /** Sends a ping, with a payload to recognise its pong by. */
  ping(data?: Uint8Array): void;
  on<E extends keyof RelaySocketEvents>(event: E, listener: RelaySocketEvents[E]): void;
  close(code: number): void;
  /** Drops the connection without the closing handshake (a page can only ask for a close). */
  terminate(): void;
}

export interface SocketPlatform {
  readonly name: 'node' | 'browser';
  openRelaySocket(url: string, options: RelaySocketOptions): RelaySocket;
  /** Runs `task` after the current pass of the event loop (setImmediate under Node). */
  soon(task: () => void): void;
  /** Whether `address` is a literal IPv4 or IPv6 address. */
  isIpAddress(address: string): boolean;
}
