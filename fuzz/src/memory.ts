import { readFile } from 'node:fs/promises';

/** Resident memory of a process (this one by default), from /proc on Linux, else this process's own figure. */
export async function rssOf(pid: number = process.pid): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    if (match) return Number(match[1]) * 1024;
  } catch {
    // Not Linux, or the process is gone: fall through.
  }
  if (pid === process.pid) return process.memoryUsage().rss;
  throw new Error(`cannot read the memory of process ${pid}`);
}

/** A process's resident memory split as Linux reports it: anonymous (heap, buffers) and file-backed (mapped files such as LMDB's); zeros elsewhere. */
export async function residentSplit(pid: number): Promise<{ anon: number; file: number }> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { anon: kib('RssAnon'), file: kib('RssFile') };
  } catch {
    return { anon: 0, file: 0 };
  }
}

export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/**
 * Memory growth check for a long loop: a baseline taken after warm-up, then
 * samples; growth past `allowedBytes` over the baseline (after a GC where we can
 * ask for one) means memory is not bounded.
 */
export class GrowthCheck {
  private baseline: number | undefined;
  peak = 0;

  constructor(private readonly allowedBytes: number) {}

  /** Records a sample; returns a failure text when it is past the bound. */
  sample(bytes: number): string | undefined {
    this.peak = Math.max(this.peak, bytes);
    if (this.baseline === undefined) {
      this.baseline = bytes;
      return undefined;
    }
    const growth = bytes - this.baseline;
    return growth > this.allowedBytes ? `memory grew by ${mib(growth)} over the ${mib(this.baseline)} after warm-up (bound ${mib(this.allowedBytes)})` : undefined;
  }

  get started(): boolean {
    return this.baseline !== undefined;
  }

  summary(): string {
    return this.baseline === undefined ? 'no samples' : `${mib(this.baseline)} after warm-up, peak ${mib(this.peak)}`;
  }
}
