import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { natsNode, type NatsNode } from './nats-server.js';

import type { LeafRemote, NatsServerTls } from './nats-server.js';

export { natsServerBinary, type LeafRemote, type NatsNode, type NatsServerTls } from './nats-server.js';
export { makeTestCertificates, type TestCertificates } from './test-certificates.js';

/**
 * A real NATS JetStream cluster for tests, benchmarks and drills: `nodes` nats-server processes on loopback,
 * each with its own config file, free ports and file storage in one temp folder; no system service is used.
 * Nodes can be killed (SIGKILL: a crash) and started again on the same ports and storage.
 */
export interface NatsCluster {
  readonly nodes: readonly NatsNode[];
  /** Every node's client URL (`tls://` when it serves TLS), comma-separated: what `herald relay --store` takes. */
  readonly url: string;
  readonly dir: string;
  /** Credentials clients must give, when the cluster was made with `auth`. */
  readonly user: { readonly name: string; readonly password: string } | undefined;
  /**
   * Waits until every running node reports itself healthy (/healthz), a meta leader is elected, and every stream's
   * replicas are current: after a start, or after a node came back and must catch up.
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
  /**
   * Serve clients over TLS only, with this certificate and key (PEM files; `makeTestCertificates` makes a CA and
   * them; `verifyClientsCa` requires client certificates that CA signed); the nodes' URLs are then `tls://`.
   * Routes between the nodes stay plain TCP on loopback. Default: plain TCP.
   */
  readonly tls?: NatsServerTls;
  /** The nodes' JetStream domain (a leaf node's must differ from its hub's). Default: none. */
  readonly domain?: string;
  /** Accept leaf nodes (each node's `leafUrl`). Default false. */
  readonly leafnodes?: boolean;
  /**
   * The address (`host:port`) every node gives leaf nodes as its own instead of its leaf port: a forwarder a test
   * cuts. Without it a leaf node, told the node's own port, reconnects there past the cut forwarder. Default: none.
   */
  readonly leafAdvertise?: string;
  /** Be leaf nodes of this hub (a post's server under the ministry's cluster). Default: none. */
  readonly leafOf?: LeafRemote;
  /**
   * JetStream file storage each node may use (a limit, not a reservation of disk; a stream's max_bytes is reserved
   * against it: a relay on defaults asks 1.25 GiB). Default 8 GiB.
   */
  readonly maxFileBytes?: number;
  /** Longest wait for a node's start, and for `ready`. Default 30 000 ms. */
  readonly startTimeoutMs?: number;
}

/** A loopback port free now (the relay depends on no transport package, whose test helpers have one too). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Ports that are free now and distinct from one another. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** What a node's /jsz?streams=true tells of the cluster and of the streams it holds. */
interface JetStreamView {
  readonly meta_cluster?: { readonly leader?: string };
  readonly account_details?: readonly { readonly stream_detail?: readonly { readonly name: string; readonly cluster?: { readonly leader?: string; readonly replicas?: readonly { readonly current?: boolean; readonly lag?: number }[] } }[] }[];
}

/**
 * Every stream has a leader, and its leader (whose view alone is current: followers' views of each other lag)
 * sees every replica caught up: a node back from a crash has no messages missing any more (an ordered consumer
 * placed on a lagging replica would not see them yet).
 */
function streamsCurrent(views: readonly (readonly [string, JetStreamView | undefined])[]): boolean {
  const streams = new Map<string, boolean>();
  for (const [node, view] of views) {
    if (view === undefined) return false;
    for (const account of view.account_details ?? []) {
      for (const stream of account.stream_detail ?? []) {
        if (!stream.cluster?.leader) return false;
        if (stream.cluster.leader !== node) {
          if (!streams.has(stream.name)) streams.set(stream.name, false);
          continue;
        }
        streams.set(stream.name, (stream.cluster.replicas ?? []).every((replica) => replica.current === true && (replica.lag ?? 0) === 0));
      }
    }
  }
  return [...streams.values()].every(Boolean);
}

export async function startNatsCluster(init: NatsClusterInit = {}): Promise<NatsCluster> {
  const count = init.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`nodes: a whole number of at least 1, not ${count}`);
  const startTimeoutMs = init.startTimeoutMs ?? 30_000;
  const dir = await mkdtemp(join(tmpdir(), 'herald-nats-'));
  const ports = await freePorts(count * 4);
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
        maxFileBytes: init.maxFileBytes ?? 8 * 1024 * 1024 * 1024,
        user,
        tls: init.tls,
        domain: init.domain,
        leafPort: init.leafnodes ? ports[count * 3 + index]! : undefined,
        leafAdvertise: init.leafAdvertise,
        leafOf: init.leafOf,
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
      const views = await Promise.all(running.map((node) => node.monitor('/jsz?streams=true').then((answer) => JSON.parse(answer.text) as JetStreamView, () => undefined)));
      // A single node runs standalone: no meta group, no stream leaders to wait for.
      const leaders = count === 1 ? views.every((view) => view !== undefined) : views.every((view) => view?.meta_cluster?.leader !== undefined && view.meta_cluster.leader !== '');
      if (running.length > 0 && answers.every((answer) => answer.status === 200) && leaders && (count === 1 || streamsCurrent(views.map((view, position) => [running[position]!.name, view])))) return;
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
