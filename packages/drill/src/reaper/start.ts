import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/**
 * Starts the watchdog for this process: in a session of its own (a Ctrl-C for
 * the drill does not reach it) and unreferenced, so it never keeps the drill
 * alive; it ends what this process started if this process dies first.
 */
export function startReaper(): void {
  const child = spawn(process.execPath, [MAIN, String(process.pid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  child.on('error', () => undefined);
  child.stdin.on('error', () => undefined);
  child.unref();
  // The pipe stays open, unreferenced, for as long as this process lives: its closing is the watchdog's signal.
  (child.stdin as unknown as { unref?: () => void }).unref?.();
}
