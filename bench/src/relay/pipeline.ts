/**
 * Pushes `count` items through a sender→server→receiver path keeping `window`
 * in flight end to end, and times each from its send to its arrival.
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
  const latencies: number[] = [];
  let next = 0;
  let arrived = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pipeline: only ${arrived} of ${count} arrived within ${timeoutMs} ms`)), timeoutMs);
    const start = performance.now();
    const fill = (): void => {
      while (next < count && next - arrived < window) {
        const index = next++;
        sentAt[index] = performance.now();
        const sending = path.send(index);
        if (sending) sending.catch((error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
      }
    };
    path.onArrival((index) => {
      latencies.push(performance.now() - sentAt[index]!);
      arrived++;
      if (arrived === count) {
        clearTimeout(timer);
        const elapsed = performance.now() - start;
        latencies.sort((a, b) => a - b);
        resolve({ perSecond: (count * 1000) / elapsed, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) });
        return;
      }
      fill();
    });
    fill();
  });
}
