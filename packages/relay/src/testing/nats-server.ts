import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One nats-server process of a test cluster: its own config file, JetStream on file storage in its own folder,
 * loopback ports fixed for its life, so a restart comes back where the others look for it.
 */
export interface NatsNode {
  readonly name: string;
  /** `nats://127.0.0.1:PORT` (`tls://…` when it serves TLS): where clients connect. */
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  /** Where leaf nodes connect (`nats-leaf://127.0.0.1:PORT`), when it accepts them. */
  readonly leafUrl: string | undefined;
  readonly storeDir: string;
  /** The process id while it runs (benchmarks read its CPU time). */
  readonly pid: number | undefined;
  /** Started and not exited. */
  running(): boolean;
  /** What the server logged (stderr) since it was first started. */
  logs(): string;
  /** Ends it with `signal` (SIGKILL: a crash, nothing flushed) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same ports, config and storage, and waits until its monitor answers. */
  start(): Promise<void>;
  /** GET on its monitoring port (healthz, jsz, varz…). */
  monitor(path: string): Promise<{ status: number; text: string }>;
}

export interface NatsNodeConfig {
  readonly name: string;
  readonly dir: string;
  readonly port: number;
  readonly clusterPort: number;
  readonly monitorPort: number;
  readonly routes: readonly number[];
  readonly clusterName: string;
  readonly maxFileBytes: number;
  readonly user?: { readonly name: string; readonly password: string } | undefined;
  readonly tls?: NatsServerTls | undefined;
  /** Its JetStream domain (a leaf node's must differ from its hub's). */
  readonly domain?: string | undefined;
  /** Accept leaf nodes on this port. */
  readonly leafPort?: number | undefined;
  /** What it gives leaf nodes as its leaf address (a forwarder's), instead of its leaf port. */
  readonly leafAdvertise?: string | undefined;
  /** Be a leaf node of these hub URLs, not passing the subjects `deny` names across the link (either way). */
  readonly leafOf?: LeafRemote | undefined;
  readonly startTimeoutMs: number;
}

/** TLS on the client port: the server's certificate and key, and, with `verifyClientsCa`, clients must show one that CA signed. */
export interface NatsServerTls {
  readonly certPath: string;
  readonly keyPath: string;
  readonly verifyClientsCa?: string;
}

/** A hub a node connects to as a leaf node. */
export interface LeafRemote {
  readonly urls: readonly string[];
  /** Subjects (wildcards allowed) that stay on either side of the link: neither imported nor exported. */
  readonly deny?: readonly string[];
}

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server', '/opt/homebrew/bin/nats-server'];

/** The nats-server binary, or a clear error: these tests run the real server (scripts/test-deps.sh installs it). */
export function natsServerBinary(): string {
  const fromPath = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).stdout.trim();
  const found = fromPath !== '' ? fromPath : CANDIDATES.find((candidate) => existsSync(candidate));
  if (!found) throw new Error('nats-server is not installed, and these tests run against a real cluster: install it (Debian/Ubuntu: apt-get install nats-server), or run scripts/test-deps.sh as root.');
  return found;
}

/** Accepting leaf nodes, being one (reconnecting every second, so a test's restored link is used at once), or both. */
function leafnodesConfig(node: NatsNodeConfig): Record<string, unknown> {
  const remote = node.leafOf ? { urls: node.leafOf.urls, ...(node.leafOf.deny ? { deny_imports: node.leafOf.deny, deny_exports: node.leafOf.deny } : {}) } : undefined;
  // A leaf node reconnects to every leaf address its hub told it of: behind a forwarder, the hub names only that
  // (advertise) and not its other nodes' (no_advertise).
  const listen = node.leafPort !== undefined ? { listen: `127.0.0.1:${node.leafPort}`, ...(node.leafAdvertise !== undefined ? { advertise: node.leafAdvertise, no_advertise: true } : {}) } : {};
  return { ...listen, ...(remote ? { reconnect: 1, remotes: [remote] } : {}) };
}

/** JSON is a subset of the NATS config syntax: strings quoted, so paths with spaces stay whole. */
function configText(node: NatsNodeConfig): string {
  const config: Record<string, unknown> = {
    server_name: node.name,
    listen: `127.0.0.1:${node.port}`,
    http: `127.0.0.1:${node.monitorPort}`,
    jetstream: { store_dir: join(node.dir, 'jetstream'), max_memory_store: 64 * 1024 * 1024, max_file_store: node.maxFileBytes, ...(node.domain ? { domain: node.domain } : {}) },
    ...(node.leafPort !== undefined || node.leafOf ? { leafnodes: leafnodesConfig(node) } : {}),
    // A single node runs JetStream standalone: clustered, it would wait for peers to elect a meta leader.
    ...(node.routes.length > 1 ? { cluster: { name: node.clusterName, listen: `127.0.0.1:${node.clusterPort}`, routes: node.routes.map((port) => `nats-route://127.0.0.1:${port}`) } } : {}),
    ...(node.user ? { authorization: { user: node.user.name, password: node.user.password } } : {}),
    ...(node.tls ? { tls: { cert_file: node.tls.certPath, key_file: node.tls.keyPath, ...(node.tls.verifyClientsCa ? { ca_file: node.tls.verifyClientsCa, verify: true } : {}) } } : {}),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export async function natsNode(config: NatsNodeConfig): Promise<NatsNode> {
  const binary = natsServerBinary();
  const configPath = join(config.dir, 'nats.conf');
  await writeFile(configPath, configText(config));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stderr = '';
  const monitor = async (path: string): Promise<{ status: number; text: string }> => {
    const response = await fetch(`http://127.0.0.1:${config.monitorPort}${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: response.status, text: await response.text() };
  };
  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
  const node: NatsNode = {
    name: config.name,
    url: `${config.tls ? 'tls' : 'nats'}://127.0.0.1:${config.port}`,
    port: config.port,
    monitorPort: config.monitorPort,
    leafUrl: config.leafPort !== undefined ? `nats-leaf://127.0.0.1:${config.leafPort}` : undefined,
    storeDir: join(config.dir, 'jetstream'),
    get pid() {
      return running() ? child?.pid : undefined;
    },
    running,
    logs: () => stderr,
    monitor,
    async stop(signal = 'SIGKILL') {
      const current = child;
      if (!current || !running()) return;
      current.kill(signal);
      await exited;
    },
    async start() {
      if (running()) return;
      const started = spawn(binary, ['-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = started;
      started.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      exited = new Promise((resolve) => started.once('exit', () => resolve()));
      const deadline = Date.now() + config.startTimeoutMs;
      for (;;) {
        if (!running()) throw new Error(`nats-server ${config.name} exited on start: ${stderr.slice(-2000)}`);
        const answer = await monitor('/varz').catch(() => undefined);
        if (answer?.status === 200) return;
        if (Date.now() > deadline) throw new Error(`nats-server ${config.name} did not answer on 127.0.0.1:${config.monitorPort} within ${config.startTimeoutMs} ms: ${stderr.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
  return node;
}
