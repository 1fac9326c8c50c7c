import type { WebSocketTlsOptions } from '../init.js';

/** What a relay connection hears from its socket. */
export interface RelaySocketEvents {
  /** The socket failed (before or after opening); a close follows. */
  error(error: unknown): void;
  /** The server answered the upgrade with plain HTTP (Node only: a page sees just an error). */
  unexpectedResponse(statusCode: number): void;
  pong(): void;
  message(data: Uint8Array, isBinary: boolean): void;
  close(code: number, reason: string): void;
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
  send(frame: Uint8Array): void;
  /** Sends what `send` holds back now. */
  flush(): void;
  /** Sends a WebSocket ping; false where the platform cannot (a page), so the caller cannot time pongs. */
  ping(): boolean;
  close(code: number): void;
  /** Drops the connection without the closing handshake (a page can only ask for a close). */
  terminate(): void;
}

export interface SocketPlatform {
  readonly name: 'node' | 'browser';
  openRelaySocket(url: string, options: RelaySocketOptions, events: RelaySocketEvents): RelaySocket;
  /** Runs `task` after the current pass of the event loop (setImmediate under Node). */
  soon(task: () => void): void;
  /** A byte array whose contents are all about to be overwritten (pooled and unfilled under Node). */
  allocUnfilled(length: number): Uint8Array;
  /** Whether `address` is a literal IPv4 or IPv6 address. */
  isIpAddress(address: string): boolean;
}
