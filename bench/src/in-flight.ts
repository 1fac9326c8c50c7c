/** Throughput with a fixed number of operations outstanding: the shape of load that group commit exists for. */
import { median } from './measure.js';

/**
 * Keeps `inFlight` calls of `operation` outstanding for about `milliseconds`:
 * each caller starts its next operation as soon as its last one resolves (a
 * sliding window, not waves). Returns completed operations per second.
 */
export async function inFlightRate(operation: () => Promise<unknown>, inFlight: number, milliseconds: number): Promise<number> {
  let done = 0;
  const start = performance.now();
  const deadline = start + milliseconds;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await operation();
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return (done * 1000) / (performance.now() - start);
}

/** Like `compare` in measure.ts, for in-flight load: alternates baseline and subject each round, returns medians. */
export async function compareInFlight(
  subject: () => Promise<unknown>,
  baseline: () => Promise<unknown>,
  options: { readonly subjectInFlight: number; readonly baselineInFlight: number; readonly rounds: number; readonly milliseconds: number },
): Promise<{ subject: number; baseline: number; ratio: number }> {
  const subjectRates: number[] = [];
  const baselineRates: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    baselineRates.push(await inFlightRate(baseline, options.baselineInFlight, options.milliseconds));
    subjectRates.push(await inFlightRate(subject, options.subjectInFlight, options.milliseconds));
  }
  const subjectMedian = median(subjectRates);
  const baselineMedian = median(baselineRates);
  return { subject: subjectMedian, baseline: baselineMedian, ratio: subjectMedian / baselineMedian };
}
