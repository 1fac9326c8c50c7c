import { afterAll, beforeAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The relay's built entry point: tests run the daemon exactly as operators do, as a separate process. */
export const RELAY_BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

export interface RelayProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything the relay wrote on stderr (its JSON logs) so far. */
  logs(): string;
  /** Resolves with the exit code and signal once the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** `http://127.0.0.1:PORT/metrics` of its metrics listener (loopback, port picked by the relay); undefined with `metrics: false`. */
  readonly metricsUrl: string | undefined;
  /** GET on the relay's HTTP port, or on its metrics listener for /metrics (the public port serves none). */
  get(path: string): Promise<{ status: number; text: string }>;
  /** A metric's value from /metrics (first sample whose line starts with `name`), or undefined. */
  metric(name: string): Promise<number | undefined>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnOptions {
  /** Keeps the data (and the port, when restarting): pass the previous relay's. */
  readonly dataDir?: string;
  readonly port?: number;
  /** Options written to a YAML config file handed over with --config. */
  readonly config?: Record<string, unknown>;
  readonly args?: readonly string[];
  /** false: no --metrics listener (the relay then serves no /metrics). */
  readonly metrics?: false;
  /** Longest wait for the "relay listening on" line. */
  readonly startTimeoutMs?: number;
}

const temporaryDirs: string[] = [];

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temporaryDirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(temporaryDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

function yamlOf(config: Record<string, unknown>): string {
  // JSON is YAML: no need to hand-write YAML in tests.
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Starts the relay on 127.0.0.1 (a free port unless `port` is given) and waits for its first stdout line. */
export async function spawnRelay(options: SpawnOptions = {}): Promise<RelayProcess> {
  const dataDir = options.dataDir ?? (await tempDir('herald-relay-'));
  // A metrics listener on a free loopback port, unless the test names its own.
  const metricsArgs = options.args?.includes('--metrics') || options.metrics === false ? [] : ['--metrics', '127.0.0.1:0'];
  const waitForMetrics = options.metrics !== false;
  const args = [RELAY_BIN, '--listen', `127.0.0.1:${options.port ?? 0}`, '--data-dir', join(dataDir, 'store'), ...metricsArgs, ...(options.args ?? [])];
  if (options.config) {
    const configPath = join(dataDir, `relay-${Date.now()}.yaml`);
    await writeFile(configPath, yamlOf(options.config));
    args.push('--config', configPath);
  }
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const [url, metricsUrl] = await new Promise<[string, string | undefined]>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`relay did not start within ${options.startTimeoutMs ?? 30_000} ms; stderr: ${stderr}`)), options.startTimeoutMs ?? 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^relay listening on (ws:\/\/\S+)\n/.exec(stdout);
      const metrics = /^relay metrics on (http:\/\/\S+)\n/m.exec(stdout);
      if (match && (metrics || !waitForMetrics)) {
        clearTimeout(timer);
        resolve([match[1]!, metrics?.[1]]);
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`relay exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
  const port = Number(new URL(url).port);
  const relay: RelayProcess = {
    url,
    port,
    metricsUrl,
    dataDir,
    child,
    exited,
    logs: () => stderr,
    async get(path) {
      const target = path === '/metrics' && metricsUrl ? metricsUrl : `http://127.0.0.1:${port}${path}`;
      const response = await fetch(target, { signal: AbortSignal.timeout(5000) });
      return { status: response.status, text: await response.text() };
    },
    async metric(name) {
      const { text } = await relay.get('/metrics');
      const line = text.split('\n').find((candidate) => candidate.startsWith(name) && !candidate.startsWith('#'));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
  return relay;
}

/** A relay on the same port and data as `previous` (which must have exited): what an operator's restart does. */
export function restartRelay(previous: RelayProcess, options: Omit<SpawnOptions, 'dataDir' | 'port'> = {}): Promise<RelayProcess> {
  return spawnRelay({ ...options, dataDir: previous.dataDir, port: previous.port });
}

/**
 * One relay for a whole test file: started before its tests, killed (and the temporary folders removed) after them.
 * Read the returned getter inside tests.
 */
export function relayForFile(options: SpawnOptions = {}): () => RelayProcess {
  let relay: RelayProcess | undefined;
  beforeAll(async () => {
    relay = await spawnRelay(options);
  });
  afterAll(async () => {
    await relay?.kill('SIGKILL');
    await removeTempDirs();
  });
  return () => {
    if (!relay) throw new Error('the relay is not started yet: read it inside a test');
    return relay;
  };
}
