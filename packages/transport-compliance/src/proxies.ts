import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort, waitForPort } from '@herald/mail-test-server';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real proxies as child processes on loopback, for the channels' proxy tests: Debian's tinyproxy (HTTP CONNECT)
 * and microsocks (SOCKS5), each with its own config, started, killed and started again on the same port. Their
 * outgoing connections leave from `bindAddress` (another loopback address), so a server behind a `sourceWitness`
 * can tell a connection that came through the proxy from one made directly.
 */
export interface ProxyProcess {
  /** `http://127.0.0.1:PORT` or `socks5h://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  running(): boolean;
  /** Kills it (SIGKILL: every tunnel through it drops at once). */
  kill(): Promise<void>;
  /** Starts it again on the same port and config. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Outgoing connections leave from this local address. Default 127.0.0.2. */
  readonly bindAddress?: string;
}

/**
 * A host name that only the test proxies resolve (to 127.0.0.1): each runs in its own mount namespace with its own
 * /etc/hosts naming it. A channel that reaches a server by this name has had the proxy resolve it: this machine
 * could not have (no DNS query for it left, and no direct connection to it was possible).
 */
export const PROXY_ONLY_HOST = 'herald-behind-proxy.test';

/** `file args…` run in a private mount namespace whose /etc/hosts also names PROXY_ONLY_HOST (needs root, as the tests have). */
async function withProxyOnlyHosts(folder: string, file: string, args: readonly string[]): Promise<{ file: string; args: string[] }> {
  const hosts = join(folder, 'hosts');
  await writeFile(hosts, `127.0.0.1 localhost\n::1 localhost\n127.0.0.1 ${PROXY_ONLY_HOST}\n`);
  return { file: 'unshare', args: ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', hosts, file, ...args] };
}

function binary(name: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name} || ls /usr/bin/${name} /usr/sbin/${name} 2>/dev/null | head -1`], { encoding: 'utf8' }).stdout.trim().split('\n')[0] ?? '';
  if (found === '') throw new Error(`${name} is not installed, and the proxy tests run the real one: apt-get install ${name} (scripts/test-deps.sh)`);
  return found;
}

async function proxyProcess(kind: 'http' | 'socks5h', port: number, command: { file: string; args: string[] }, cleanup: () => Promise<void>): Promise<ProxyProcess> {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
  const start = async (): Promise<void> => {
    const { file, args } = command;
    const started = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4096)));
    started.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4096)));
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    await waitForPort(port, 10_000, file).catch((error: unknown) => {
      throw new Error(`${(error as Error).message} (exit code ${String(started.exitCode)}): ${output}`);
    });
  };
  const kill = async (): Promise<void> => {
    if (!running()) return;
    child!.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `${kind}://127.0.0.1:${port}`, port, running, kill, start, close: async () => (await kill(), await cleanup()) };
}

/** tinyproxy in the foreground with a generated config: CONNECT to any port, only from loopback. */
export async function startTinyproxy(options: ProxyOptions = {}): Promise<ProxyProcess> {
  const file = binary('tinyproxy');
  const folder = await mkdtemp(join(tmpdir(), 'herald-tinyproxy-'));
  const port = await freePort();
  const config = join(folder, 'tinyproxy.conf');
  // No ConnectPort line: CONNECT is allowed to every port (the brokers and mail servers listen on random ones).
  await writeFile(config, [`Port ${port}`, 'Listen 127.0.0.1', `Bind ${options.bindAddress ?? '127.0.0.2'}`, 'Timeout 60', 'Allow 127.0.0.1', 'MaxClients 64', 'LogLevel Error', 'DisableViaHeader Yes'].join('\n') + '\n');
  return proxyProcess('http', port, await withProxyOnlyHosts(folder, file, ['-d', '-c', config]), () => rm(folder, { recursive: true, force: true }));
}

/** microsocks: SOCKS5 without authentication, listening on 127.0.0.1 only. */
export async function startMicrosocks(options: ProxyOptions = {}): Promise<ProxyProcess> {
  const file = binary('microsocks');
  const folder = await mkdtemp(join(tmpdir(), 'herald-microsocks-'));
  const port = await freePort();
  const command = await withProxyOnlyHosts(folder, file, ['-i', '127.0.0.1', '-p', String(port), '-b', options.bindAddress ?? '127.0.0.2']);
  return proxyProcess('socks5h', port, command, () => rm(folder, { recursive: true, force: true }));
}

/** A TCP forwarder in front of a real server that records where each connection came from. */
export interface SourceWitness {
  readonly port: number;
  /** The source address of every connection accepted so far, in order. */
  sources(): readonly string[];
  close(): Promise<void>;
}

export async function startSourceWitness(upstreamPort: number, upstreamHost = '127.0.0.1'): Promise<SourceWitness> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    seen.push(client.remoteAddress ?? '?');
    const service = connect({ host: upstreamHost, port: upstreamPort });
    for (const socket of [client, service]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        service.destroy();
      });
    }
    client.pipe(service);
    service.pipe(client);
  });
  // A connection from the proxy shows its bind address (127.0.0.2) as source; a direct one from 127.0.0.1.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    sources: () => [...seen],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
