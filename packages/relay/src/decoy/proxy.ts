import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';

/** Hop-by-hop headers (RFC 9110 §7.6.1): a proxy does not pass them on. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

function forwardedHeaders(headers: IncomingMessage['headers'], host: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP.has(name)) out[name] = value;
  out.host = host;
  return out;
}

/**
 * A reverse proxy to a real site (`upstream`, http or https): each request goes there with its method, path and
 * headers (Host rewritten), and the site's answer comes back as it was, headers included — no Via, no Server of ours.
 * An upstream that fails gets a bare 502, as any proxy gives.
 */
export function proxySite(upstream: URL): {
  request(request: IncomingMessage, response: ServerResponse): void;
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
} {
  const secure = upstream.protocol === 'https:';
  const port = Number(upstream.port) || (secure ? 443 : 80);
  const prefix = upstream.pathname.replace(/\/$/, '');
  return {
    request(request, response) {
      const outgoing = (secure ? httpsRequest : httpRequest)({
        host: upstream.hostname, port, servername: upstream.hostname, method: request.method,
        path: prefix + (request.url ?? '/'), headers: forwardedHeaders(request.headers, upstream.host),
      });
      outgoing.on('response', (answer) => {
        const headers: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP.has(name)) headers[name] = value;
        response.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
        answer.pipe(response);
        answer.on('error', () => response.destroy());
      });
      outgoing.on('error', () => {
        if (response.headersSent) response.destroy();
        else response.writeHead(502).end();
      });
      // A visitor who goes away takes the upstream request with it: nothing is left open on its behalf.
      response.on('close', () => {
        if (!response.writableFinished) outgoing.destroy();
      });
      request.pipe(outgoing);
    },
    // An upgrade (WebSocket or other) goes to the site untouched, byte for byte: whatever it answers is the answer.
    upgrade(request, socket, head) {
      const target = secure ? tlsConnect({ host: upstream.hostname, port, servername: upstream.hostname }) : netConnect({ host: upstream.hostname, port });
      const lines = [`${request.method} ${prefix}${request.url ?? '/'} HTTP/${request.httpVersion}`];
      for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
        const name = request.rawHeaders[index]!;
        lines.push(`${name}: ${name.toLowerCase() === 'host' ? upstream.host : request.rawHeaders[index + 1]}`);
      }
      target.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) target.write(head);
      target.on('error', () => socket.destroy());
      socket.on('error', () => target.destroy());
      socket.pipe(target).pipe(socket);
    },
  };
}
