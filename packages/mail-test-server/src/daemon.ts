import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readdirSync, readFileSync } from 'node:fs';

/**
 * One foreground daemon process (dovecot -F, postfix start-fg), its output
 * appended to a log file in the mail system's folder. Never a system service:
 * each test run owns its processes and stops them by pid.
 */
export interface Daemon {
  readonly running: boolean;
  readonly pid: number | undefined;
  /** Resolves when the process has exited (at once when it is not running). */
  exited(): Promise<void>;
  /** Sends a signal to the process (not to a group: the daemons manage their own children). */
  signal(signal: NodeJS.Signals): void;
}

export function spawnDaemon(command: string, args: readonly string[], logPath: string): Daemon {
  const log = openSync(logPath, 'a');
  let child: ChildProcess | undefined;
  try {
    child = spawn(command, args, { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  let running = true;
  const exit = new Promise<void>((resolve) => {
    child!.once('exit', () => {
      running = false;
      resolve();
    });
    child!.once('error', () => {
      running = false;
      resolve();
    });
  });
  return {
    get running() {
      return running;
    },
    get pid() {
      return child?.pid;
    },
    exited: () => exit,
    signal(signal) {
      if (running) child?.kill(signal);
    },
  };
}

/** Waits for the daemon to exit; after `graceMs` it is killed. */
export async function waitExit(daemon: Daemon, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      daemon.signal('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([daemon.exited(), killed]);
  clearTimeout(timer);
  await daemon.exited();
}

/**
 * The process ids whose parent is `pid`, from /proc. Dovecot's master leaves
 * its children (imap, imap-login, auth, log, …) running for a while after it
 * exits; the harness ends them by these ids, so a stopped server really drops
 * its clients, as a crashed or restarted one would.
 */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command may contain spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

export function killPids(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
