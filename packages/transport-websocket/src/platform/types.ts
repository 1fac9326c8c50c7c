import type { CorkingSender } from '../protocol/cork.js';
import type { WebSocketTlsOptions } from '../init.js';

/** What a relay connection hears from its socket: ws's event names, with plain bytes and strings. */
export interface RelaySocketEvents {
  /** The socket failed (before or after opening); a close follows. */
  error: (error: unknown) => void;
  /** The server answered the upgrade with plain HTTP (Node only: a page sees just an error). */
  'unexpected-response': (statusCode: number) => void;
  pong: () => void;
  message: (data: Uint8Array, isBinary: boolean) => void;
  close: (code: number, reason: string) => void;
}

export interface RelaySocketOptions {
  readonly connectTimeoutMs: number;
  /** The biggest message accepted (Node only: a page's WebSocket has no such limit, the frame decoder checks lengths). */
  readonly maxPayload: number;
  readonly localAddress: string | undefined;
  readonly tls: WebSocketTlsOptions | undefined;
}

/** A WebSocket to the relay: `ws` under Node (platform/node.ts), the page's own WebSocket in a browser (platform/browser.ts). */
export interface RelaySocket {
  readonly isOpen: boolean;
  /** Sends a binary frame; under Node, frames of one event-loop pass leave in one write (protocol/cork.ts). */
  readonly send: CorkingSender;
  /** False where the platform cannot send pings or see pongs (a page), so the caller cannot time pongs. */
  readonly canPing: boolean;
  ping(): void;
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
  /** A byte array whose contents are all about to be overwritten (pooled and unfilled under Node). */
  allocUnfilled(length: number): Uint8Array;
  /** Whether `address` is a literal IPv4 or IPv6 address. */
  isIpAddress(address: string): boolean;
}
