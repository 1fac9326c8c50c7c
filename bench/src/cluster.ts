/**
 * pnpm bench:cluster — the relay on a NATS JetStream cluster, beside bare JetStream in the same run:
 *
 * 1 KiB envelopes sealed before the clock starts, 64 in flight end to end (a slot frees when the envelope arrived
 * AND its ACCEPTED came back), through
 *   - one relay on LMDB (the embedded default),
 *   - one relay on a three-node cluster (replicas 3),
 *   - two relays on the cluster: deposit through one, collect from the other,
 *   - bare JetStream: publish with the same replication (waiting for the stream's ack), consume, acknowledge.
 * Goal: a cluster-backed relay at ≥ 0.5× bare JetStream. Rounds alternate between the paths. On 2 cores the
 * figures cannot show scale-out, so each process's CPU seconds per 1 000 envelopes are printed: what sizing reads.
 *
 * Everything runs on 127.0.0.1; every server is a child process (nats-server: the Debian package).
 */
import { randomFillSync } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { generateIdentity, seal } from '@herald/core';
import { startNatsCluster } from '@herald/relay/testing';
import { jetStreamPath } from './cluster/jetstream-path.js';
import { quickMode } from './measure.js';
import { relayPath, type OpenPath } from './relay/paths.js';
import { runPipeline, summarize, type PipelineResult } from './relay/pipeline.js';
import { startRelayProcess, type ServerProcess } from './relay/processes.js';
import { processCpuSeconds } from './relay/spread.js';

const quick = quickMode();
const rounds = quick ? 1 : 5;
const warmRounds = quick ? 1 : 2;
const count = quick ? 300 : 2000;
const window = 64;
const replicas = 3;

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const body = randomFillSync(new Uint8Array(1024));
const envelopes = Array.from({ length: count }, () => seal(body, { from: alice, to: bob.card, ttl: 86_400 }));

interface Contender {
  readonly label: string;
  readonly path: OpenPath;
  /** The processes whose CPU this path costs, by name. */
  readonly processes: ReadonlyMap<string, () => number | undefined>;
  drained(): Promise<void>;
  results: PipelineResult[];
  cpu: Map<string, number>;
}

const n = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  console.log(`bench:cluster — ${count} envelopes of 1 KiB a round, ${window} in flight, ${rounds} rounds after ${warmRounds} warm-up, replicas ${replicas}${quick ? ' (quick)' : ''}`);
  // Other work on the machine shifts every figure (the ratios less): say how busy it was.
  const load = (): string => `load average ${loadavg().map((one) => one.toFixed(2)).join(' ')} on ${availableParallelism()} cores`;
  console.log(`before: ${load()}`);
  const cluster = await startNatsCluster();
  const servers: ServerProcess[] = [];
  const contenders: Contender[] = [];
  const natsProcesses = cluster.nodes.map((node): [string, () => number | undefined] => [`nats ${node.name}`, () => node.pid]);
  try {
    // The relays' limits as the bench's (lifted), but a stream the harness's nodes can place: 1.25 GiB reserved each.
    const clusterSettings = (name: string): Record<string, unknown> => ({ store: { servers: cluster.url, name, replicas }, maxStoredBytes: 2 ** 30, maxStoredEnvelopes: 1_000_000 });
    const lmdb = await startRelayProcess();
    const single = await startRelayProcess(clusterSettings('BENCH_ONE'));
    const [depositRelay, collectRelay] = [await startRelayProcess(clusterSettings('BENCH_TWO')), await startRelayProcess(clusterSettings('BENCH_TWO'))];
    servers.push(lmdb, single, depositRelay, collectRelay);
    const contender = (label: string, path: OpenPath, processes: [string, () => number | undefined][], drained: () => Promise<void>): Contender => ({ label, path, processes: new Map(processes), drained, results: [], cpu: new Map() });
    contenders.push(
      contender('one relay on LMDB', await relayPath(lmdb.url, alice, bob, envelopes), [['relay', () => lmdb.pid]], () => lmdb.drained()),
      contender('one relay on the cluster', await relayPath(single.url, alice, bob, envelopes), [['relay', () => single.pid], ...natsProcesses], () => single.drained()),
      contender('two relays on the cluster (deposit on A, collect on B)', await relayPath(depositRelay.url, alice, bob, envelopes, collectRelay.url), [['relay A', () => depositRelay.pid], ['relay B', () => collectRelay.pid], ...natsProcesses], async () => void (await Promise.all([depositRelay.drained(), collectRelay.drained()]))),
      contender('bare JetStream publish → consume', await jetStreamPath(cluster.nodes.map((node) => node.url), replicas, envelopes), [...natsProcesses], async () => undefined),
    );
    for (let round = 0; round < warmRounds + rounds; round++) {
      for (const each of contenders) {
        const before = new Map([...each.processes].map(([name, pid]) => [name, processCpuSeconds(pid())]));
        const benchBefore = process.cpuUsage();
        const result = await runPipeline(each.path.path, count, window);
        await each.drained();
        if (round < warmRounds) continue;
        each.results.push(result);
        for (const [name, pid] of each.processes) each.cpu.set(name, (each.cpu.get(name) ?? 0) + processCpuSeconds(pid()) - before.get(name)!);
        const used = process.cpuUsage(benchBefore);
        each.cpu.set('bench (sender + receiver)', (each.cpu.get('bench (sender + receiver)') ?? 0) + (used.user + used.system) / 1e6);
      }
    }
    const bare = summarize(contenders.at(-1)!.results);
    console.log('');
    for (const each of contenders) {
      const figures = summarize(each.results);
      const ratio = figures.perSecond / bare.perSecond;
      console.log(`${each.label}: ${n(figures.perSecond)} envelopes/s, p50 ${n(figures.p50Ms, 2)} ms, p99 ${n(figures.p99Ms, 2)} ms — ${n(ratio, 2)}× bare JetStream`);
      const perThousand = [...each.cpu].map(([name, seconds]) => `${name} ${n((seconds * 1000) / (count * rounds), 3)}`).join(', ');
      console.log(`  CPU seconds per 1 000 envelopes: ${perThousand}`);
    }
    const best = Math.max(...contenders.slice(1, 3).map((each) => summarize(each.results).perSecond)) / bare.perSecond;
    console.log(`\nafter: ${load()}`);
    console.log(`goal: a cluster-backed relay ≥ 0.5× bare JetStream — ${best >= 0.5 ? 'met' : 'NOT met'} (${n(best, 2)}×)`);
  } finally {
    for (const each of contenders) await each.path.close().catch(() => undefined);
    for (const server of servers) await server.stop().catch(() => undefined);
    await cluster.close();
  }
}

await main();
