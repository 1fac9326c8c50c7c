import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * A real Mosquitto broker as a child process, for tests and benchmarks: its
 * own generated config (a loopback listener on a free port, persistence in a
 * temp folder, anonymous or with a password file), no system service. It can
 * be stopped (SIGTERM: Mosquitto saves its database), started again on the
 * same port with the same persistence, frozen (SIGSTOP) and thawed.
 */
export interface MosquittoProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Everything Mosquitto logged on stderr so far. */
  logs(): string;
  /** The process is running (started and not exited): false after `stop`, or after a crash. */
  running(): boolean;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port, config and persistence (after `stop`). */
  start(): Promise<void>;
  freeze(): void;
  thaw(): void;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

export interface MosquittoOptions {
  /** Require these users (user → password) instead of allowing anonymous clients. */
  readonly users?: Readonly<Record<string, string>>;
  /** Extra lines for mosquitto.conf. */
  readonly extraConfig?: readonly string[];
  readonly startTimeoutMs?: number;
}

const CANDIDATES = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto', '/opt/homebrew/sbin/mosquitto', '/usr/local/bin/mosquitto'];

/** The mosquitto binary, or a clear error: the integration tests need the real broker (CI installs it; see .ci/run). */
export function mosquittoBinary(): string {
  const fromPath = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' }).stdout.trim();
  const found = fromPath !== '' ? fromPath : CANDIDATES.find((candidate) => existsSync(candidate));
  if (!found) throw new Error('Mosquitto is not installed, and these tests run against the real broker: install it (Debian/Ubuntu: apt-get install mosquitto; macOS: brew install mosquitto). CI installs it through .ci/run.');
  return found;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoProcess> {
  const binary = mosquittoBinary();
  const dataDir = await mkdtemp(join(tmpdir(), 'herald-mosquitto-'));
  const port = await freePort();
  const config = join(dataDir, 'mosquitto.conf');
  const lines = [
    `listener ${port} 127.0.0.1`,
    // Started as root, Mosquitto would drop to the "mosquitto" user, who cannot write this temp folder.
    `user ${userInfo().username}`,
    'persistence true',
    `persistence_location ${dataDir}/`,
    // Offline sessions hold more than the default 1000 envelopes, so tests never hit the cap by accident.
    'max_queued_messages 100000',
    // Without it small packets (PUBACKs) wait for delayed ACKs: tens of milliseconds per round trip.
    'set_tcp_nodelay true',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
  ];
  if (options.users) {
    const passwords = join(dataDir, 'passwords');
    await writeFile(passwords, '', { mode: 0o600 });
    for (const [user, password] of Object.entries(options.users)) {
      const made = spawnSync('mosquitto_passwd', ['-b', passwords, user, password], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
    }
    lines.push('allow_anonymous false', `password_file ${passwords}`);
  } else {
    lines.push('allow_anonymous true');
  }
  await writeFile(config, [...lines, ...(options.extraConfig ?? [])].join('\n') + '\n');

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stderr = '';
  const start = async (): Promise<void> => {
    const started = spawn(binary, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    started.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
    while (!(await accepts(port))) {
      if (started.exitCode !== null) throw new Error(`mosquitto exited with ${started.exitCode} on start: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on 127.0.0.1:${port} within ${options.startTimeoutMs ?? 10_000} ms: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    running.kill('SIGCONT'); // a frozen broker cannot act on SIGTERM
    running.kill(signal);
    await exited;
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dataDir,
    logs: () => stderr,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    stop,
    start,
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    async close() {
      await stop('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
