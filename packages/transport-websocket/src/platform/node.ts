import { isIP } from 'node:net';
import WebSocket from 'ws';
import { corkingSender } from '../protocol/cork.js';
import type { RelaySocket, SocketPlatform } from './types.js';

/** Node: the `ws` client, its TCP socket corked per event-loop pass (the browser twin is browser.ts). */
export const socketPlatform = Object.freeze<SocketPlatform>({
  name: 'node',
  openRelaySocket(url, options, events): RelaySocket {
    const socket = new WebSocket(url, {
      handshakeTimeout: options.connectTimeoutMs,
      maxPayload: options.maxPayload,
      perMessageDeflate: false,
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      ...(options.tls ?? {}),
    } as WebSocket.ClientOptions);
    const sendFrame = corkingSender(socket);
    socket.on('error', (error) => events.error(error));
    socket.on('unexpected-response', (_request, response) => events.unexpectedResponse(response.statusCode ?? 0));
    socket.on('pong', () => events.pong());
    socket.on('message', (data, isBinary) => events.message(new Uint8Array(data as Buffer), isBinary));
    socket.on('close', (code, reason) => events.close(code, reason.toString('utf8')));
    return {
      get isOpen() {
        return socket.readyState === WebSocket.OPEN;
      },
      send: (frame) => sendFrame(frame),
      flush: () => sendFrame.flush(),
      ping() {
        socket.ping();
        return true;
      },
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
