import { createRequire } from 'node:module';
import { spawn, type ChildProcess } from 'node:child_process';
import { SetupError } from '../errors.js';

/** The relay daemon's own entry; the same bytes `herald relay` runs. */
// Found through the relay package's own export, wherever it is installed.
const RELAY_BIN = createRequire(import.meta.url).resolve('@herald/relay/bin');
const START_TIMEOUT_MS = 20_000;
const MAX_STDERR = 16 * 1024;

export interface Daemon {
  /** The port the service listens on now (it changes across restarts: each start binds a free one). */
  readonly port: number;
  readonly running: boolean;
  kill(): Promise<void>;
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period. */
  close(): Promise<void>;
}

/**
 * A `herald relay` process: as the ws:// relay, or (mode 'mqtt') as the embedded
 * MQTT broker alone, so the broker can fail independently of the relay. Each
 * start binds a free loopback port, read from the daemon's first stdout lines.
 */
export async function startRelayDaemon(mode: 'relay' | 'mqtt', dataDir: string, publicUrls: readonly string[], extraArgs: readonly string[] = []): Promise<Daemon> {
  let child: ChildProcess | undefined;
  let port = 0;
  const args = [RELAY_BIN, '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', 'error', ...publicUrls.flatMap((url) => ['--public-url', url]), ...extraArgs];
  // Nodes reach the broker through the drill's fault proxies, on other ports than the broker's own: the caller names
  // those addresses (--mqtt-public-url in extraArgs), so the nodes' identity proofs, signed for them, are accepted.
  if (mode === 'mqtt') args.push('--mqtt', '127.0.0.1:0');
  const pattern = mode === 'relay' ? /relay listening on ws:\/\/127\.0\.0\.1:(\d+)/ : /relay mqtt broker on mqtt:\/\/127\.0\.0\.1:(\d+)/;

  const start = async (): Promise<void> => {
    const started = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let stdout = '';
    let stderr = '';
    started.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-MAX_STDERR)));
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SetupError(`${mode === 'relay' ? 'relay' : 'embedded broker'} did not start within ${START_TIMEOUT_MS / 1000} s: ${stderr.trim()}`, 'DRILL_START_FAILED')), START_TIMEOUT_MS);
      started.stdout!.on('data', (chunk: Buffer) => {
        stdout = (stdout + chunk.toString()).slice(-4096);
        const match = pattern.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new SetupError(`${mode === 'relay' ? 'relay' : 'embedded broker'} exited (${String(code)}) before listening: ${stderr.trim() || 'no message'}`, 'DRILL_START_FAILED'));
      });
    });
    started.stdout!.resume();
  };

  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    const grace = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(grace);
  };

  await start();
  return {
    get port() {
      return port;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    kill: () => stop('SIGKILL'),
    restart: start,
    close: () => stop('SIGTERM'),
  };
}
