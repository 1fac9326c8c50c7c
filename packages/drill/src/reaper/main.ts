/**
 * The drill's watchdog, a process of its own (started by `herald drill`):
 * should the drill die without stopping what it started (SIGKILL, the OOM
 * killer, a crash), every process it had started — the relay, Mosquitto,
 * Postfix, Dovecot, the nodes — is ended here instead of outliving it with
 * its ports and folders. It learns the drill's process tree from /proc every
 * half second, and acts when its stdin (a
 * pipe only the drill holds) closes. A drill that ended normally has stopped
 * everything itself, so there is nothing left to end. Linux only: without
 * /proc it just waits and exits.
 */
import { descendantsOf, startTimeOf } from './processes.js';

const drill = Number(process.argv[2]);
const SNAPSHOT_MS = 500;
const GRACE_MS = 5_000;
let known = new Map<number, string>();

const snapshot = (): void => {
  // Once the drill is gone its children belong to init: the last tree seen while it lived is the one to end.
  if (startTimeOf(drill) !== undefined) known = descendantsOf(drill, process.pid);
};

/** Those of `pids` still alive as the same process (pid and start time), after a signal to each. */
function signalAlive(pids: Map<number, string>, signal: NodeJS.Signals): Map<number, string> {
  const alive = new Map<number, string>();
  for (const [pid, started] of pids) {
    if (startTimeOf(pid) !== started) continue;
    alive.set(pid, started);
    try {
      process.kill(pid, signal);
    } catch {
      // Exited meanwhile, or not ours to signal.
    }
  }
  return alive;
}

async function reap(): Promise<void> {
  let alive = signalAlive(known, 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  while (alive.size > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    alive = new Map([...alive].filter(([pid, started]) => startTimeOf(pid) === started));
  }
  signalAlive(alive, 'SIGKILL');
}

if (Number.isInteger(drill) && drill > 0) {
  snapshot();
  const timer = setInterval(snapshot, SNAPSHOT_MS);
  process.stdin.resume();
  process.stdin.on('error', () => undefined);
  process.stdin.once('close', () => {
    clearInterval(timer);
    void reap().finally(() => process.exit(0));
  });
}
