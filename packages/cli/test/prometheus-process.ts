import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@herald/transport-mqtt/testing';

/** The shipped rules, as operators load them. */
export const ALERTS_FILE = fileURLToPath(new URL('../../../deploy/prometheus/alerts.yml', import.meta.url));

/**
 * A copy of the shipped rules whose every `for:` is `forSeconds` and every 2-minute range `windowSeconds`: the same
 * expressions and thresholds fire and resolve, sooner. Rewritten from the real file each run, so the copy cannot drift
 * from it; the shipped `for:` and windows themselves are checked by promtool (alerts-rules.integration.test.ts).
 */
export async function rulesWithShortTimes(dir: string, forSeconds: number, windowSeconds: number): Promise<string> {
  const text = await readFile(ALERTS_FILE, 'utf8');
  const shortFor = text.replace(/^(\s+for:\s*)\S+$/gm, `$1${forSeconds}s`);
  if (shortFor === text) throw new Error('no `for:` found in alerts.yml');
  const rewritten = shortFor.replace(/\[2m\]/g, `[${windowSeconds}s]`);
  if (rewritten === shortFor) throw new Error('no 2-minute range found in alerts.yml');
  const path = join(dir, 'alerts.test-copy.yml');
  await writeFile(path, rewritten);
  return path;
}

export interface Alert {
  readonly labels: Record<string, string>;
  readonly state: 'pending' | 'firing';
}

export interface PrometheusProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Active alerts (pending or firing), from /api/v1/alerts. */
  alerts(): Promise<Alert[]>;
  /** Whether every target of the config is being scraped successfully. */
  targetsUp(): Promise<boolean>;
  stop(): Promise<void>;
}

/** Starts Debian's `prometheus` on a free loopback port with its own config and storage in `dir`. */
export async function startPrometheus(dir: string, options: { targets: Record<string, string>; ruleFile: string; intervalSeconds: number }): Promise<PrometheusProcess> {
  const port = await freePort();
  const jobs = Object.entries(options.targets).map(([job, target]) => `  - job_name: ${job}\n    static_configs:\n      - targets: ['${target}']\n`);
  const config = join(dir, 'prometheus.yml');
  await writeFile(config, `global:\n  scrape_interval: ${options.intervalSeconds}s\n  evaluation_interval: ${options.intervalSeconds}s\nrule_files:\n  - ${options.ruleFile}\nscrape_configs:\n${jobs.join('')}`);
  const child = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) });
    return ((await response.json()) as { data: T }).data;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then((response) => response.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`prometheus not ready within 30 s: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    child,
    alerts: async () => (await api<{ alerts: Alert[] }>('/api/v1/alerts')).alerts,
    targetsUp: async () => {
      const { activeTargets } = await api<{ activeTargets: { health: string }[] }>('/api/v1/targets');
      return activeTargets.length === Object.keys(options.targets).length && activeTargets.every((target) => target.health === 'up');
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
