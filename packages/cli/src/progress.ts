import { writeStderr } from './io.js';

/**
 * Progress of long work (a large bundle) on stderr, at most four lines a
 * second, only when stderr is a terminal or --progress asks for it: scripts
 * reading stderr get the one summary line, not a stream of counters.
 */
export function progressReporter(enabled: boolean): (what: string, done: number, total: number) => void {
  let last = 0;
  return (what, done, total) => {
    if (!enabled) return;
    const now = Date.now();
    if (done < total && now - last < 250) return;
    last = now;
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    void writeStderr(`${what}: ${done}/${total} (${percent}%)\n`);
  };
}

export function progressWanted(flag: boolean | undefined): boolean {
  return flag === true || process.stderr.isTTY === true;
}
