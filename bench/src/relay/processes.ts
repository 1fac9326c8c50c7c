import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A server child process on a free loopback port, as the bench drives it. */
export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  /** The server's process id: what its CPU time is read by (spread.ts). */
  readonly pid: number | undefined;
  /** Resident memory of the server process, in bytes. */
  rss(): Promise<number>;
  /**
   * Resolves once the server holds no mail (the relay: every acknowledged entry removed). Rounds reuse the same
   * envelopes, and the relay rightly answers a deposit of bytes it still holds as a duplicate without pushing it
   * again, so a round must not start while the last one's removals are still being committed.
   */
  drained(): Promise<void>;
  /** A Prometheus metric of the server (NaN where it has none). */
  metric(name: string): Promise<number>;
  stop(): Promise<void>;
}

// Resolved by its package (its `./bin` export), not by a path into another package's dist.
const RELAY_BIN = createRequire(import.meta.url).resolve('@herald/relay/bin');
const FORWARDER = fileURLToPath(new URL('./forwarder.js', import.meta.url));
/** HERALD_BENCH_PROFILE=DIR writes a V8 CPU profile of each server process into DIR (for finding where the time goes). */
const profileArgs = (): string[] => (process.env.HERALD_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HERALD_BENCH_PROFILE}`] : []);

/** Resolves with the first match of `pattern` in the child's stdout: its groups are what the caller needs. */
function started(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()).slice(-4000));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = pattern.exec(stdout);
      if (match) resolve(match);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
}

function stopper(child: ChildProcess, cleanup: () => Promise<void> = async () => undefined): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await cleanup();
  };
}

async function metric(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

/**
 * The real relay daemon with a durable LMDB store in a temporary folder; limits raised so the bench measures speed, not
 * quotas. `bin`: another build of the relay's bin.js, to compare two versions in the same run.
 */
export async function startRelayProcess(settings: Record<string, unknown> = {}, bin = RELAY_BIN): Promise<ServerProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-bench-relay-'));
  const config = join(dir, 'relay.yaml');
  // The bench's one sender, one receiver and idle connections all come from 127.0.0.1: the fair-share limits per
  // identity and per address (and for mailboxes not yet collected) are lifted like the per-connection ones, as the
  // bare forwarder has none. What they cost is in the relay's path either way (counted, just never reached).
  const unlimited = {
    depositsPerSecond: 1_000_000, depositBurst: 1_000_000, maxConnections: 20_000, mailboxMaxEnvelopes: 1_000_000, mailboxMaxBytes: 2 ** 32, maxStoredBytes: 2 ** 34,
    maxConnectionsPerAddress: 20_000, maxAuthenticating: 20_000, maxAuthenticatingPerAddress: 20_000,
    depositorMaxEnvelopes: 1_000_000, depositorMaxBytes: 2 ** 34, depositorDepositsPerSecond: 1_000_000,
    addressMaxEnvelopes: 1_000_000, addressMaxBytes: 2 ** 34, addressDepositsPerSecond: 1_000_000,
    uncollectedMailboxMaxEnvelopes: 1_000_000, uncollectedMailboxMaxBytes: 2 ** 32,
  };
  await writeFile(config, JSON.stringify({ ...unlimited, logLevel: 'warn', authTimeoutMs: 60_000, ...settings }));
  const child = spawn(process.execPath, [...profileArgs(), bin, '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--data-dir', join(dir, 'store'), '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  // /metrics is served on the metrics listener only, announced on the line after the public URL.
  const lines = await started(child, /relay listening on (ws:\/\/\S+)\nrelay metrics on (http:\/\/\S+)\n/);
  const url = lines[1]!;
  const metricsUrl = lines[2]!;
  const port = Number(new URL(url).port);
  return {
    url,
    port,
    pid: child.pid,
    rss: () => metric(metricsUrl, 'process_resident_memory_bytes'),
    metric: (name) => metric(metricsUrl, name),
    async drained() {
      for (let attempt = 0; attempt < 300; attempt++) {
        if ((await metric(metricsUrl, 'herald_relay_mailbox_envelopes')) === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the relay still holds mail 30 s after the round');
    },
    stop: stopper(child, () => rm(dir, { recursive: true, force: true })),
  };
}

export async function startForwarderProcess(): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...profileArgs(), FORWARDER], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = (await started(child, /forwarder listening on (ws:\/\/\S+)\n/))[1]!;
  const port = Number(new URL(url).port);
  return {
    url,
    port,
    pid: child.pid,
    rss: async () => Number(await (await fetch(`http://127.0.0.1:${port}/rss`)).text()),
    drained: async () => undefined,
    metric: async () => Number.NaN,
    stop: stopper(child),
  };
}
