import { isIP } from 'node:net';
import WebSocket from 'ws';
import { corkingSender } from '../protocol/cork.js';
import type { RelaySocket, RelaySocketEvents, SocketPlatform } from './types.js';

/** Node: the `ws` client, its TCP socket corked per event-loop pass (the browser twin is browser.ts). */
export const socketPlatform = Object.freeze<SocketPlatform>({
  name: 'node',
  openRelaySocket(url, options): RelaySocket {
    const socket = new WebSocket(url, {
      handshakeTimeout: options.connectTimeoutMs,
      maxPayload: options.maxPayload,
      perMessageDeflate: false,
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      ...(options.tls ?? {}),
    } as WebSocket.ClientOptions);
    const listeners: { [E in keyof RelaySocketEvents]: (listener: RelaySocketEvents[E]) => void } = {
      error: (listener) => socket.on('error', listener),
      'unexpected-response': (listener) => socket.on('unexpected-response', (_request, response) => listener(response.statusCode ?? 0)),
      pong: (listener) => socket.on('pong', listener),
      message: (listener) => socket.on('message', (data, isBinary) => listener(new Uint8Array(data as Buffer), isBinary)),
      close: (listener) => socket.on('close', (code, reason) => listener(code, reason.toString('utf8'))),
    };
    return {
      get isOpen() {
        return socket.readyState === WebSocket.OPEN;
      },
      send: corkingSender(socket),
      canPing: true,
      ping: () => socket.ping(),
      on: (event, listener) => listeners[event](listener),
      close(code) {
        socket.close(code);
        // A peer that never answers the close handshake must not keep the socket.
        setTimeout(() => socket.terminate(), 1000).unref();
      },
      terminate: () => socket.terminate(),
    };
  },
  soon: (task) => void setImmediate(task),
  allocUnfilled: (length) => {
    // A pooled, unfilled Buffer instead of a fresh zeroed ArrayBuffer per envelope, which cost an off-heap
    // allocation each and showed in both the relay's and the client's profiles.
    const out = Buffer.allocUnsafe(length);
    // A plain Uint8Array view, as every other encoder returns (what decodes from it is then plain too).
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  },
  isIpAddress: (address) => isIP(address) !== 0,
});
