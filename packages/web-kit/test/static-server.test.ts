import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from '@herald/web-kit';

/** A raw request, so paths reach the server exactly as written (fetch would normalise them). */
function get(server: StaticServer, path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveStatic', () => {
  let dir: string;
  let server: StaticServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-static-'));
    await mkdir(join(dir, 'site'));
    await writeFile(join(dir, 'site', 'index.html'), '<p>home</p>');
    await writeFile(join(dir, 'site', 'app.js'), 'export {};');
    await writeFile(join(dir, 'secret.txt'), 'outside the root');
    server = await serveStatic({ root: join(dir, 'site') });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves files with their types, index.html for /, on loopback', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await get(server, '/')).toStrictEqual({ status: 200, type: 'text/html; charset=utf-8', body: '<p>home</p>' });
    expect(await get(server, '/app.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect((await get(server, '/missing.js')).status).toBe(404);
  });

  it('never reads outside its root, and answers only GET and HEAD', async () => {
    for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt']) {
      const answer = await get(server, path);
      expect(answer.body, path).not.toContain('outside the root');
      expect([403, 404], path).toContain(answer.status);
    }
    expect((await get(server, '/', 'POST')).status).toBe(405);
    expect(await get(server, '/', 'HEAD')).toMatchObject({ status: 200, body: '' });
    expect((await get(server, '/%E0%A4%A')).status).toBe(400);
  });
});
