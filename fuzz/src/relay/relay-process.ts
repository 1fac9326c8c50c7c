import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@herald/transport-mqtt/testing';
import { residentSplit, rssOf } from '../memory.js';

/** The relay daemon's entry point, run exactly as operators run it. */
// Resolved by its package (its `./bin` export), not by a path into another package's dist.
const RELAY_BIN = createRequire(import.meta.url).resolve('@herald/relay/bin');

/** A real relay child process with its embedded MQTT broker, both on loopback. */
export interface FuzzedRelay {
  readonly url: string;
  readonly mqttPort: number;
  readonly httpPort: number;
  readonly pid: number;
  /** Set once the process ended: how, and the tail of its stderr. */
  readonly death: () => string | undefined;
  rss(): Promise<number>;
  /** RSS split into anonymous and file-backed (the store's memory map) parts. */
  residentSplit(): Promise<{ anon: number; file: number }>;
  /** Values of the relay's Prometheus metrics (first sample of each name; NaN where missing). */
  metrics(names: readonly string[]): Promise<number[]>;
  stop(): Promise<void>;
}

/** Starts `herald-relay --mqtt` on free loopback ports with its default limits unless `config` overrides some. */
export async function startRelay(config: Record<string, unknown> = {}): Promise<FuzzedRelay> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-fuzz-relay-'));
  const configPath = join(dir, 'relay.yaml');
  // JSON is YAML.
  await writeFile(configPath, JSON.stringify({ logLevel: 'error', ...config }));
  const mqttPort = await freePort();
  const child = spawn(process.execPath, [RELAY_BIN, '--listen', '127.0.0.1:0', '--mqtt', `127.0.0.1:${mqttPort}`, '--data-dir', join(dir, 'store'), '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  let died: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      died = `relay exited (code ${code}, signal ${signal}); stderr: ${stderr}`;
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /relay listening on (ws:\/\/\S+)\n[^]*relay mqtt broker on /.exec(stdout);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(died)));
  });
  return {
    url,
    mqttPort,
    httpPort: Number(new URL(url).port),
    pid: child.pid!,
    death: () => died,
    rss: () => rssOf(child.pid!),
    residentSplit: () => residentSplit(child.pid!),
    async metrics(names) {
      const text = await (await fetch(`http://127.0.0.1:${Number(new URL(url).port)}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      const lines = text.split('\n');
      return names.map((name) => Number(lines.find((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))?.split(' ').at(-1)));
    },
    async stop() {
      if (died === undefined) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
