import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from '@herald/transport-mqtt/testing';
import { natsNode, type NatsNode } from './nats-server.js';

export { natsServerBinary, type NatsNode } from './nats-server.js';

/**
 * A real NATS JetStream cluster for tests, benchmarks and drills: `nodes` nats-server processes on loopback,
 * each with its own config file, free ports and file storage in one temp folder; no system service is used.
 * Nodes can be killed (SIGKILL: a crash) and started again on the same ports and storage.
 */
export interface NatsCluster {
  readonly nodes: readonly NatsNode[];
  /** Every node's client URL, comma-separated: what `herald relay --store` takes. */
  readonly url: string;
  readonly dir: string;
  /** Credentials clients must give, when the cluster was made with `auth`. */
  readonly user: { readonly name: string; readonly password: string } | undefined;
  /**
   * Waits until every running node reports itself healthy (/healthz: JetStream on, its meta group and its streams
   * current) and a meta leader is elected: after a start, or after a node came back and must catch up.
   */
  ready(timeoutMs?: number): Promise<void>;
  /** Starts every node that is not running (in parallel: a JetStream cluster needs a quorum to elect). */
  start(): Promise<void>;
  /** Stops every node (SIGTERM by default, which flushes; SIGKILL for a crash of the whole cluster). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it for good and removes its folder. */
  close(): Promise<void>;
}

export interface NatsClusterInit {
  /** Number of nodes. Default 3. */
  readonly nodes?: number;
  /** Require a user and password (random ones, in `user`) from clients. Default false. */
  readonly auth?: boolean;
  /** Serve clients over TLS with this certificate and key (PEM files). Default: plain TCP. */
  readonly tls?: { readonly certPath: string; readonly keyPath: string };
  /** JetStream file storage each node may use. Default 1 GiB. */
  readonly maxFileBytes?: number;
  /** Longest wait for a node's start, and for `ready`. Default 30 000 ms. */
  readonly startTimeoutMs?: number;
}

/** Ports that are free now and distinct from one another. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export async function startNatsCluster(init: NatsClusterInit = {}): Promise<NatsCluster> {
  const count = init.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`nodes: a whole number of at least 1, not ${count}`);
  const startTimeoutMs = init.startTimeoutMs ?? 30_000;
  const dir = await mkdtemp(join(tmpdir(), 'herald-nats-'));
  const ports = await freePorts(count * 3);
  const clusterPorts = ports.slice(count, count * 2);
  const user = init.auth ? { name: 'herald', password: randomBytes(16).toString('hex') } : undefined;
  const clusterName = `herald-${randomBytes(4).toString('hex')}`;
  const nodes: NatsNode[] = [];
  for (let index = 0; index < count; index++) {
    const nodeDir = join(dir, `n${index + 1}`);
    await mkdir(nodeDir, { recursive: true });
    nodes.push(
      await natsNode({
        name: `n${index + 1}`,
        dir: nodeDir,
        port: ports[index]!,
        clusterPort: clusterPorts[index]!,
        monitorPort: ports[count * 2 + index]!,
        routes: clusterPorts,
        clusterName,
        maxFileBytes: init.maxFileBytes ?? 1024 * 1024 * 1024,
        user,
        tls: init.tls,
        startTimeoutMs,
      }),
    );
  }
  const ready = async (timeoutMs = startTimeoutMs): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const running = nodes.filter((node) => node.running());
      const answers = await Promise.all(running.map((node) => node.monitor('/healthz').catch((error: unknown) => ({ status: 0, text: String(error) }))));
      const leader = await Promise.all(running.map((node) => node.monitor('/jsz').then((answer) => (JSON.parse(answer.text) as { meta_cluster?: { leader?: string } }).meta_cluster?.leader, () => undefined)));
      if (running.length > 0 && answers.every((answer) => answer.status === 200) && leader.every((name) => name !== undefined && name !== '')) return;
      last = answers.map((answer, position) => `${running[position]!.name}: ${answer.status} ${answer.text.trim()}`).join('; ');
      if (Date.now() > deadline) throw new Error(`the NATS cluster was not ready within ${timeoutMs} ms: ${last}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const start = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.start()));
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop(signal)));
  };
  try {
    await start();
    await ready();
  } catch (error) {
    await stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    nodes,
    url: nodes.map((node) => node.url).join(','),
    dir,
    user,
    ready,
    start,
    stop,
    async close() {
      await stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
