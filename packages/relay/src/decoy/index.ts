import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { proxySite } from './proxy.js';
import { staticSite } from './site.js';

/** What anyone without the knock gets: an ordinary website, for requests and upgrades alike. */
export interface Decoy {
  request(request: IncomingMessage, response: ServerResponse): void;
  /** An upgrade request (WebSocket or other) without the knock: answered exactly as the site alone would answer it. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/**
 * The decoy from the relay's options: a static folder (`decoySite`) or a reverse proxy to a real site (`decoyProxy`).
 * A static site served alone by node has no upgrade handler, so node hands it an upgrade as an ordinary request
 * and closes the connection after the answer: here the same answer is written on the upgrade's socket.
 */
export function decoyOf(options: { readonly decoySite: string | undefined; readonly decoyProxy: string | undefined }): Decoy | undefined {
  if (options.decoyProxy !== undefined) return proxySite(new URL(options.decoyProxy));
  if (options.decoySite === undefined) return undefined;
  const request = staticSite(options.decoySite);
  return {
    request,
    upgrade(incoming, socket) {
      const response = new ServerResponse(incoming);
      // As node does for a request that asked for `Connection: upgrade` and was not upgraded: answer, then close.
      response.shouldKeepAlive = false;
      response.assignSocket(socket as never);
      response.on('finish', () => {
        response.detachSocket(socket as never);
        socket.end();
      });
      request(incoming, response);
    },
  };
}
