import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The relay daemon as operators run it: a child process on a free loopback port, found from its first stdout line. */
export interface RunningRelay {
  readonly url: string;
  /** A number from the relay's /metrics. */
  metric(name: string): Promise<number>;
  stop(): Promise<number | null>;
}

const RELAY_BIN = fileURLToPath(new URL('../../../packages/relay/dist/bin.js', import.meta.url));

export async function startRelay(dataDir: string): Promise<RunningRelay> {
  const child: ChildProcess = spawn(process.execPath, [RELAY_BIN, '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // /metrics is served on the metrics listener only (--metrics), announced on the line after the public URL.
  const [url, metricsUrl] = await new Promise<[string, string]>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /relay listening on (ws:\/\/\S+)\nrelay metrics on (http:\/\/\S+)\n/.exec(stdout);
      if (match) resolve([match[1]!, match[2]!]);
    });
    void exited.then((code) => reject(new Error(`the relay exited (${code}) before listening`)));
  });
  return {
    url,
    async metric(name) {
      const text = await (await fetch(metricsUrl)).text();
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
      return Number(line?.split(' ')[1] ?? Number.NaN);
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
