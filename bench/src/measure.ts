/** Shared timing helpers: interleaved rounds, medians, and aligned output. */

export interface Rate {
  readonly opsPerSecond: number;
}

/** Runs `operation` repeatedly for about `milliseconds` and returns operations per second. */
export async function rate(operation: () => unknown, milliseconds: number): Promise<number> {
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < milliseconds) {
    for (let batch = 0; batch < 8; batch++) await operation();
    count += 8;
    elapsed = performance.now() - start;
  }
  return (count * 1000) / elapsed;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Alternates subject and baseline so drift on a busy machine hits both alike; returns medians. */
export async function compare(subject: () => unknown, baseline: () => unknown, rounds: number, milliseconds: number): Promise<{ subject: number; baseline: number; ratio: number }> {
  const subjectRates: number[] = [];
  const baselineRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    baselineRates.push(await rate(baseline, milliseconds));
    subjectRates.push(await rate(subject, milliseconds));
  }
  const subjectMedian = median(subjectRates);
  const baselineMedian = median(baselineRates);
  return { subject: subjectMedian, baseline: baselineMedian, ratio: subjectMedian / baselineMedian };
}

export function quickMode(): boolean {
  return process.argv.includes('--quick');
}

export function formatRate(value: number): string {
  return Math.round(value).toLocaleString('en-US').padStart(9);
}
