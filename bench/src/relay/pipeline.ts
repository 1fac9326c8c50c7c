/**
 * Pushes `count` items through a sender→server→receiver path keeping `window`
 * in flight, and times each from its send to its arrival. An item is in flight
 * until it has arrived AND its send resolved (for the relay: the durable
 * ACCEPTED), so the sender never has more than `window` outstanding.
 */
export interface PathUnderTest {
  /** Sends item `index`; may reject (counted as a failure). */
  send(index: number): Promise<unknown> | void;
  /** Registers the callback the receiving side calls with each arrived item's index. */
  onArrival(callback: (index: number) => void): void;
}

export interface PipelineResult {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
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
        resolve({ perSecond: (count * 1000) / elapsed, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) });
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
