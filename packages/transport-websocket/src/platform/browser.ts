import type { RelaySocket, SocketPlatform } from './types.js';

const WEB_SOCKET_OPEN = 1;
/** Close codes a page may send: 1000, or 3000–4999 (the WebSocket API throws on others). */
const NORMAL_CLOSURE = 1000;
/** ws's "going away" stand-in for a terminate: a page cannot drop a socket without the handshake. */
const TERMINATED = 4000;

/**
 * A web page: its own WebSocket. No TLS options or local address (the browser
 * owns both; init.ts refuses them here), no pings (the browser answers the
 * relay's pings itself and never shows them to the page), no corking.
 */
export const socketPlatform = Object.freeze<SocketPlatform>({
  name: 'browser',
  openRelaySocket(url, _options, events): RelaySocket {
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    socket.onerror = () => events.error(new Error('the browser reported a WebSocket error (it gives pages no detail)'));
    socket.onmessage = (event: MessageEvent) => {
      const data: unknown = event.data;
      if (data instanceof ArrayBuffer) events.message(new Uint8Array(data), true);
      else events.message(new TextEncoder().encode(String(data)), false);
    };
    socket.onclose = (event: { code: number; reason: string }) => events.close(event.code, event.reason);
    return {
      get isOpen() {
        return socket.readyState === WEB_SOCKET_OPEN;
      },
      send: (frame) => socket.send(frame),
      flush: () => undefined,
      ping: () => false,
      close: (code) => socket.close(code === NORMAL_CLOSURE || (code >= 3000 && code <= 4999) ? code : NORMAL_CLOSURE),
      terminate: () => socket.close(TERMINATED),
    };
  },
  soon: (task) => void setTimeout(task, 0),
  allocUnfilled: (length) => new Uint8Array(length),
  isIpAddress: () => false,
});
