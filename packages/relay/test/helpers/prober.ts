import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** What came back on one connection: the bytes, with any Date header taken out, and whether the server closed it. */
export interface ProbeAnswer {
  readonly text: string;
  readonly closed: boolean;
}

/** Silence after which a connection the server keeps open is taken as answered. */
const SETTLE_MS = 800;

function collect(socket: Socket, done: Promise<void> | undefined = undefined): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      // Only the Date header may differ between two servers answering at different instants.
      resolve({ text: Buffer.concat(chunks).toString('latin1').replace(/\r\ndate: [^\r]*/gi, ''), closed });
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), SETTLE_MS);
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      arm();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
    void (done ?? Promise.resolve()).then(arm);
  });
}

/** A request written in parts, each after the server had time to answer the one before. */
export type ProbeRequest = string | Buffer | readonly string[];

/** Sends `request` on a fresh TCP connection to 127.0.0.1:`port` and returns what came back. */
export async function probe(port: number, request: ProbeRequest): Promise<ProbeAnswer> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const answered = collect(socket);
  const parts = Array.isArray(request) ? request : [request as string | Buffer];
  for (const [index, part] of parts.entries()) {
    if (index > 0) await new Promise((resolve) => setTimeout(resolve, 300));
    if (!socket.destroyed) socket.write(part);
  }
  return answered;
}

/** A TLS ClientHello, as node's own TLS client sends it: caught by a loopback listener that answers nothing. */
export async function clientHello(): Promise<Buffer> {
  const catcher = createServer();
  await new Promise<void>((resolve) => catcher.listen(0, '127.0.0.1', resolve));
  try {
    const caught = new Promise<Buffer>((resolve) => catcher.once('connection', (socket) => socket.once('data', (chunk: Buffer) => {
      resolve(chunk);
      socket.destroy();
    })));
    const tls = tlsConnect({ host: '127.0.0.1', port: (catcher.address() as AddressInfo).port, servername: 'relay.example', rejectUnauthorized: false });
    tls.on('error', () => undefined);
    return await caught;
  } finally {
    catcher.close();
  }
}

/** The requests of an active prober looking for a Herald relay. */
export function probes(knockPath: string): Record<string, ProbeRequest> {
  const upgrade = (path: string): string =>
    `GET ${path} HTTP/1.1\r\nHost: relay.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
  const get = (path: string, method = 'GET'): string => `${method} ${path} HTTP/1.1\r\nHost: relay.example\r\nUser-Agent: probe\r\n\r\n`;
  const requests: Record<string, ProbeRequest> = {};
  for (const path of ['/', '/index.html', '/healthz', '/metrics', '/ws', '/herald', '/relay', '/robots.txt', '/.env', '/../../etc/passwd', '/%00', '/%zz', knockPath]) {
    requests[`GET ${path}`] = get(path);
    requests[`HEAD ${path}`] = get(path, 'HEAD');
  }
  for (const path of ['/', '/ws', '/herald', '/healthz', '/?x=1', `${knockPath}x`]) requests[`upgrade ${path}`] = upgrade(path);
  // The knock path with a wrong WebSocket handshake is still the relay's; a prober without the path never gets there.
  requests['POST /'] = 'POST / HTTP/1.1\r\nHost: relay.example\r\nContent-Length: 5\r\n\r\nhello';
  requests['OPTIONS *'] = 'OPTIONS * HTTP/1.1\r\nHost: relay.example\r\n\r\n';
  requests['HTTP/1.0 GET /'] = 'GET / HTTP/1.0\r\n\r\n';
  requests['upgrade h2c'] = 'GET / HTTP/1.1\r\nHost: relay.example\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n';
  requests['garbage'] = 'HELLO HERALD\r\n\r\n';
  requests['bad header'] = 'GET / HTTP/1.1\r\nHost: relay.example\r\nno colon here\r\n\r\n';
  requests['huge header'] = `GET / HTTP/1.1\r\nHost: relay.example\r\nX-Fill: ${'a'.repeat(20_000)}\r\n\r\n`;
  requests['two requests'] = `${get('/')}${get('/robots.txt')}`;
  requests['upgrade, then a request'] = `${upgrade('/ws')}${get('/robots.txt')}`;
  // The connection an upgrade was answered on is the web server's again: its next requests are answered as any.
  requests['upgrade; later a request, then garbage'] = [upgrade('/ws'), get('/robots.txt'), 'garbage\r\n\r\n'];
  requests['binary'] = '\x00\x01\x02\x03herald\r\n\r\n';
  return requests;
}

/** `node:http` alone serving the relay's decoy handler for `dir`: the site the relay must be indistinguishable from. */
export async function serveDecoyAlone(siteModule: string, dir: string): Promise<{ port: number; child: ChildProcess }> {
  const script = `import { createServer } from 'node:http'; import { staticSite } from ${JSON.stringify(siteModule)};
const server = createServer(staticSite(${JSON.stringify(dir)}));
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /port (\d+)\n/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the decoy alone exited with ${code}`)));
  });
  return { port, child };
}
