import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/** What /healthz answers: `degraded` (still 200) while the store refuses deposits, with the reason. */
export interface RelayHealth {
  readonly status: 'ok' | 'degraded' | 'shutting-down';
  readonly reason?: string;
}

/**
 * /healthz, and /metrics when `registry` is given; anything else is 404. Plain HTTP: the public listener serves
 * /healthz only, the metrics listener (metricsListen, loopback unless told otherwise) both.
 */
export function httpHandler(registry: Registry | undefined, health: () => RelayHealth): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      const now = health();
      response.writeHead(now.status === 'shutting-down' ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(now));
      return;
    }
    if (path === '/metrics' && registry) {
      registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: this is a Herald relay (WebSocket), /healthz${registry ? ', /metrics' : ''}\n`);
  };
}
