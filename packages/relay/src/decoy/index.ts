import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { proxySite } from './proxy.js';
import { staticSite } from './site.js';

/** What anyone without the knock gets: an ordinary website, for requests and upgrades alike. */
export interface Decoy {
  request(request: IncomingMessage, response: ServerResponse): void;
  /** An upgrade request (WebSocket or other) without the knock: answered exactly as the site alone would answer it. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, server: Server): void;
}

/** Whether node would keep this request's connection open after answering it (HTTP/1.1 unless `close`, 1.0 only with `keep-alive`). */
function keepsAlive(request: IncomingMessage): boolean {
  const tokens = (request.headers.connection ?? '').toLowerCase().split(',').map((token) => token.trim());
  return request.httpVersion === '1.1' ? !tokens.includes('close') : tokens.includes('keep-alive');
}

/**
 * The decoy from the relay's options: a static folder (`decoySite`) or a reverse proxy to a real site (`decoyProxy`).
 * A static site served alone by node has no upgrade handler, so node treats an upgrade as an ordinary request: it
 * answers it and keeps the connection for the next request. Here the same answer is written on the upgrade's socket,
 * which is then handed back to the HTTP server as a connection (with node's keep-alive timeout) — byte for byte what
 * the site alone does.
 */
export function decoyOf(options: { readonly decoySite: string | undefined; readonly decoyProxy: string | undefined }): Decoy | undefined {
  if (options.decoyProxy !== undefined) return proxySite(new URL(options.decoyProxy));
  if (options.decoySite === undefined) return undefined;
  const request = staticSite(options.decoySite);
  return {
    request,
    // `head` (bytes that came in the same read as the upgrade's headers) is dropped: node serving the site alone
    // drops them too (its parser stops after an upgrade request), and the prober test compares exactly that.
    upgrade(incoming, socket, _head, server) {
      const response = new ServerResponse(incoming) as ServerResponse & { _keepAliveTimeout?: number };
      const keepAlive = keepsAlive(incoming) && response.shouldKeepAlive;
      response.shouldKeepAlive = keepAlive;
      response._keepAliveTimeout = server.keepAliveTimeout;
      response.assignSocket(socket as Socket);
      response.on('finish', () => {
        response.detachSocket(socket as Socket);
        if (!keepAlive) return void socket.end();
        // The next request on this connection is the server's again; idle, it is closed as node closes any.
        if (server.keepAliveTimeout > 0) {
          (socket as Socket).setTimeout(server.keepAliveTimeout);
          socket.once('data', () => (socket as Socket).setTimeout(0));
        }
        server.emit('connection', socket);
      });
      request(incoming, response);
    },
  };
}
