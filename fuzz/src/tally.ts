import { toHex } from '@herald/core';

/** Something the run must not survive: an untyped error, a crash, a hang, unbounded memory. */
export interface Failure {
  readonly kind: string;
  readonly detail: string;
  /** The input that caused it, in hex, to reproduce it; absent for process-level failures. */
  readonly inputHex?: string;
}

/** Inputs kept for a failure report: enough to reproduce, never an unbounded log. */
const MAX_FAILURES_KEPT = 20;
const MAX_INPUT_HEX_BYTES = 64 * 1024;

/** Outcome counts of one fuzz target, and its failures. */
export class Tally {
  readonly counts = new Map<string, number>();
  readonly failures: Failure[] = [];
  failureCount = 0;
  /** Lines printed under the counts (memory figures and the like). */
  readonly notes: string[] = [];

  constructor(readonly name: string) {}

  count(outcome: string, by = 1): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + by);
  }

  /** Records a failure; `input` is the input (or the frames, in order) that caused it. */
  fail(kind: string, detail: string, input?: Uint8Array | readonly Uint8Array[]): void {
    this.failureCount++;
    this.count(`FAILURE ${kind}`);
    if (this.failures.length >= MAX_FAILURES_KEPT) return;
    if (input === undefined) this.failures.push({ kind, detail });
    else this.failures.push({ kind, detail, inputHex: (input instanceof Uint8Array ? [input] : input).map((bytes) => toHex(bytes.subarray(0, MAX_INPUT_HEX_BYTES))).join(' | ') });
  }

  get total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  /** Counts by outcome, largest first, then the failures with their inputs. */
  report(): string {
    const lines = [`${this.name}: ${this.total} outcomes, ${this.failureCount} failures`];
    for (const [outcome, count] of [...this.counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) lines.push(`  ${String(count).padStart(9)}  ${outcome}`);
    for (const note of this.notes) lines.push(`  ${note}`);
    for (const failure of this.failures) lines.push(`  FAILURE ${failure.kind}: ${failure.detail}${failure.inputHex === undefined ? '' : `\n    input: ${failure.inputHex}`}`);
    return lines.join('\n');
  }
}
