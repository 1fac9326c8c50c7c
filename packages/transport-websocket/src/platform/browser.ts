import type { RelaySocket, RelaySocketEvents, SocketPlatform } from './types.js';

const WEB_SOCKET_OPEN = 1;
/** Close codes a page may send: 1000, or 3000–4999 (the WebSocket API throws on others). */
const NORMAL_CLOSURE = 1000;
/** Sent for a terminate: a page cannot drop a socket without the closing handshake. */
const TERMINATED = 4000;

/**
 * A web page: its own WebSocket. No TLS options or local address (the browser
 * owns both; init.ts refuses them here), no pings (the browser answers the
 * relay's pings itself and never shows them to the page), no corking.
 */
export const socketPlatform = Object.freeze<SocketPlatform>({
  name: 'browser',
  openRelaySocket(url): RelaySocket {
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    const listeners: Partial<{ [E in keyof RelaySocketEvents]: Array<RelaySocketEvents[E]> }> = {};
    const emit = <E extends keyof RelaySocketEvents>(event: E, ...args: Parameters<RelaySocketEvents[E]>): void => {
      for (const listener of listeners[event] ?? []) (listener as (...values: Parameters<RelaySocketEvents[E]>) => void)(...args);
    };
    socket.onopen = () => emit('upgrade');
    socket.onerror = () => emit('error', new Error('the browser reported a WebSocket error (it gives pages no detail)'));
    socket.onmessage = (event: { data: unknown }) => {
      if (event.data instanceof ArrayBuffer) emit('message', new Uint8Array(event.data), true);
      else emit('message', new TextEncoder().encode(String(event.data)), false);
    };
    socket.onclose = (event: { code: number; reason: string }) => emit('close', event.code, event.reason);
    const send = (frame: Uint8Array): void => socket.send(frame);
    return {
      get isOpen() {
        return socket.readyState === WEB_SOCKET_OPEN;
      },
      send: Object.assign(send, { flush: () => undefined }),
      canPing: false,
      ping: () => undefined,
      on(event, listener) {
        ((listeners[event] ??= []) as Array<typeof listener>).push(listener);
      },
      close: (code) => socket.close(code === NORMAL_CLOSURE || (code >= 3000 && code <= 4999) ? code : NORMAL_CLOSURE),
      terminate: () => socket.close(TERMINATED),
    };
  },
  soon: (task) => void setTimeout(task, 0),
  isIpAddress: () => false,
});
