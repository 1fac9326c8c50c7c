import { mib } from '../memory.js';
import type { FuzzedRelay } from '../relay/relay-process.js';

/** How often the relay is sampled; a minute's figure is the median of its samples, so one GC's timing does not decide it. */
const SAMPLE_EVERY_MS = 5000;
const METRICS = ['nodejs_heap_size_used_bytes', 'nodejs_external_memory_bytes', 'herald_relay_mailbox_envelopes', 'herald_relay_connections'] as const;

export interface Minute {
  /** Median RSS of the minute's samples. */
  readonly rss: number;
  readonly line: string;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Samples the relay every 5 s until `deadline`; calls `onMinute` with each whole minute's figures. */
export async function sampleMinutes(relay: FuzzedRelay, started: number, deadline: number, onMinute: (minute: number, figures: Minute) => void): Promise<Minute[]> {
  const minutes: Minute[] = [];
  let samples: number[][] = [];
  for (let at = started + SAMPLE_EVERY_MS; at <= deadline; at += SAMPLE_EVERY_MS) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
    if (relay.death() !== undefined) break;
    try {
      const split = await relay.residentSplit();
      samples.push([await relay.rss(), ...(await relay.metrics(METRICS)), split.anon, split.file]);
    } catch {
      // A sample the busy relay did not answer in time; the minute's median does without it.
    }
    if ((at - started) % 60_000 !== 0) continue;
    const column = (index: number): number => median(samples.map((sample) => sample[index]!));
    const rss = samples.map((sample) => sample[0]!);
    const figures: Minute = {
      rss: column(0),
      line: `relay RSS ${mib(column(0))} (${mib(Math.min(...rss))}–${mib(Math.max(...rss))}; anonymous ${mib(column(5))}, file-backed ${mib(column(6))}), heap used ${mib(column(1))}, external ${mib(column(2))}, ${column(3)} envelopes stored, ${column(4)} connections`,
    };
    minutes.push(figures);
    onMinute(minutes.length, figures);
    samples = [];
  }
  return minutes;
}
