import { readdirSync, readFileSync } from 'node:fs';

/** A process as /proc shows it: its parent, and its start time (which tells it apart from a later one given its pid). */
interface ProcessEntry {
  readonly pid: number;
  readonly parent: number;
  readonly started: string;
}

/** Fields 4 (ppid) and 22 (starttime) of /proc/PID/stat; the name before them may hold spaces and parentheses. */
function readEntry(pid: number): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const parent = Number(fields[1]);
    const started = fields[19];
    return Number.isInteger(parent) && started !== undefined ? { pid, parent, started } : undefined;
  } catch {
    return undefined; // gone, or no /proc here
  }
}

/** Start time of `pid` if it is alive, as /proc tells it. */
export function startTimeOf(pid: number): string | undefined {
  return readEntry(pid)?.started;
}

/** Every process descending from `root` now (children, their children, …), with its start time; empty without /proc. */
export function descendantsOf(root: number, except: number): Map<number, string> {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return new Map();
  }
  const children = new Map<number, ProcessEntry[]>();
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readEntry(Number(name));
    if (!entry) continue;
    const siblings = children.get(entry.parent) ?? [];
    siblings.push(entry);
    children.set(entry.parent, siblings);
  }
  const found = new Map<number, string>();
  const queue = [root];
  // Bounded: each pid is visited once, and /proc lists finitely many.
  while (queue.length > 0) {
    for (const child of children.get(queue.pop()!) ?? []) {
      if (child.pid === except || found.has(child.pid)) continue;
      found.set(child.pid, child.started);
      queue.push(child.pid);
    }
  }
  return found;
}
