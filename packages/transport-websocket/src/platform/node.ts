import { isIP } from 'node:net';
import WebSocket from 'ws';
import { corkingSender } from '@herald/protocol/relay';
import { proxyAgent } from '../proxy-agent.js';
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
      ...(options.proxy === undefined ? {} : { agent: proxyAgent(options.proxy, options.proxyTimeoutMs) }),
      ...(options.tls ?? {}),
    } as WebSocket.ClientOptions);
    const listeners: { [E in keyof RelaySocketEvents]: (listener: RelaySocketEvents[E]) => void } = {
      error: (listener) => socket.on('error', listener),
      'unexpected-response': (listener) => socket.on('unexpected-response', (_request, response) => listener(response.statusCode ?? 0)),
      upgrade: (listener) => socket.once('upgrade', () => listener()),
      pong: (listener) => socket.on('pong', (data) => listener(new Uint8Array(data.buffer, data.byteOffset, data.length))),
      message: (listener) => socket.on('message', (data, isBinary) => listener(new Uint8Array(data as Buffer), isBinary)),
      close: (listener) => socket.on('close', (code, reason) => listener(code, reason.toString('utf8'))),
    };
    return {
      get isOpen() {
        return socket.readyState === WebSocket.OPEN;
      },
      send: corkingSender(socket),
      canPing: true,
      ping: (data) => socket.ping(data),
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
  isIpAddress: (address) => isIP(address) !== 0,
});
