/**
 * Pushes `count` items through a sender→server→receiver path keeping `window`
 * in flight, and times each from its send to its arrival. An item is in flight
 * until it has arrived AND its send resolved (for the relay: the durable
 * ACCEPTED), so the sender never has more than `window` outstanding.
 */
import { median } from '../measure.js';

export interface PathUnderTest {
  /** Sends item `index`; may reject (counted as a failure). */
  send(index: number): Promise<unknown> | void;
  /** Registers the callback the receiving side calls with each arrived item's index. */
  onArrival(callback: (index: number) => void): void;
}

/** Throughput and latency percentiles: of one round, or of several (see summarize). */
export interface PipelineFigures {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** One round: its figures, and every item's latency (ascending), for percentiles over several rounds. */
export interface PipelineResult extends PipelineFigures {
  readonly latenciesMs: readonly number[];
}

export function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

export function runPipeline(path: PathUnderTest, count: number, window: number, timeoutMs = 120_000): Promise<PipelineResult> {
  const sentAt = new Float64Array(count);
  /** 1 = arrived, 2 = send resolved; 3 = both: done. */
  const progress = new Uint8Array(count);
  const latencies: number[] = [];
  let next = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pipeline: only ${done} of ${count} completed within ${timeoutMs} ms`)), timeoutMs);
    const start = performance.now();
    const step = (index: number, bit: number): void => {
      if (index < 0 || index >= count || progress[index]! & bit) return;
      progress[index]! |= bit;
      if (progress[index] !== 3) return;
      done++;
      if (done === count) {
        clearTimeout(timer);
        const elapsed = performance.now() - start;
        latencies.sort((a, b) => a - b);
        resolve({ perSecond: (count * 1000) / elapsed, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), latenciesMs: latencies });
        return;
      }
      fill();
    };
    const fill = (): void => {
      while (next < count && next - done < window) {
        const index = next++;
        sentAt[index] = performance.now();
        const sending = path.send(index);
        if (sending) sending.then(() => step(index, 2), (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
        else step(index, 2);
      }
    };
    path.onArrival((index) => {
      if (index >= 0 && index < count && !(progress[index]! & 1)) latencies.push(performance.now() - sentAt[index]!);
      step(index, 1);
    });
    fill();
  });
}

/**
 * Several rounds in one figure each: the median round's throughput, and latency percentiles over every item of
 * every round. A round's p99 is its 40-odd slowest items, often one pause of one process: the median of such p99s
 * swung between a round that had a pause and one that had none (1.4–14 ms for the bare forwarder in one run),
 * while the p99 of all items counts every pause at its share.
 */
export function summarize(results: readonly PipelineResult[]): PipelineFigures {
  const latencies = results.flatMap((result) => result.latenciesMs).sort((a, b) => a - b);
  return { perSecond: median(results.map((result) => result.perSecond)), p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
}
