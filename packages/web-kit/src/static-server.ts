import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

export interface StaticServer {
  /** `http://HOST:PORT/` */
  readonly url: string;
  close(): Promise<void>;
}

export interface StaticServerInit {
  /** The folder served; nothing outside it is ever read. */
  readonly root: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (a free port). */
  readonly port?: number;
}

/** A tiny static file server for a page and its bundle: GET and HEAD only, `/` is index.html, no listing. */
export async function serveStatic(init: StaticServerInit): Promise<StaticServer> {
  const root = normalize(init.root);
  const server = createServer((request, response) => {
    void (async () => {
      if (request.method !== 'GET' && request.method !== 'HEAD') return void response.writeHead(405, { allow: 'GET, HEAD' }).end();
      let path: string;
      try {
        path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
      } catch {
        return void response.writeHead(400).end();
      }
      const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
      if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return void response.writeHead(403).end();
      try {
        const body = await readFile(file);
        response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : body);
      } catch {
        response.writeHead(404).end();
      }
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(init.port ?? 0, init.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
