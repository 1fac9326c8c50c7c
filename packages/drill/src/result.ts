import type { SlowMessage } from './analyze/slowest.js';
import type { ExactlyOnce } from './analyze/exactly-once.js';
import type { FailoverRow, LatencyRow, Retransmissions } from './analyze/metrics.js';
import type { TargetResult } from './analyze/targets.js';
import type { SeizureReport } from './seizure/adversary.js';

/** Everything a drill measured: the JSON report, and what the terminal summary and the HTML report are drawn from. */
/** The JSON report's format: raised when a field changes meaning or goes away (adding one does not). */
export const DRILL_REPORT_SCHEMA_VERSION = 2;
/** Health changes listed in a report at most. */
export const MAX_REPORTED_HEALTH = 500;

export interface DrillResult {
  /** DRILL_REPORT_SCHEMA_VERSION: 2 added it, numbers beside every target's words, and the headline. */
  readonly schemaVersion: number;
  readonly scenario: { readonly name: string; readonly description: string };
  readonly startedAt: string;
  /** Wall-clock ms from the first message due to the verdict. */
  readonly durationMs: number;
  readonly loadMs: number;
  readonly notes: readonly string[];
  readonly channels: readonly string[];
  readonly nodes: readonly { readonly name: string; readonly runs: number; readonly killed: number }[];
  readonly counts: {
    readonly commanded: number;
    readonly skipped: number;
    readonly enqueued: number;
    readonly sendFailed: number;
    readonly confirmedAtSender: number;
  };
  readonly exactlyOnce: Omit<ExactlyOnce, 'lost' | 'duplicates'> & { readonly lost: number; readonly duplicates: number; readonly problems: readonly string[] };
  readonly latency: readonly LatencyRow[];
  readonly failover: readonly (Omit<FailoverRow, 'at'> & { readonly atMs: number })[];
  readonly retransmissions: Retransmissions;
  readonly bytes: Readonly<Record<string, { readonly envelopeSent: number; readonly envelopeReceived: number; readonly wire: number }>>;
  readonly deliveriesByChannel: Readonly<Record<string, number>>;
  readonly faults: readonly { readonly name: string; readonly label: string; readonly atMs: number; readonly endMs?: number; readonly downs: readonly { readonly atMs: number; readonly endMs?: number }[] }[];
  readonly targets: readonly TargetResult[];
  /** One point per first hand-out, for the charts: ms since start, channel, precedence, latency. Bounded. */
  readonly timeline: readonly { readonly t: number; readonly channel: string; readonly precedence: string; readonly latencyMs: number }[];
  readonly errors: readonly string[];
  /** Channel health changes each node saw (the first MAX_REPORTED_HEALTH): a reconnect behind a slow tail shows here. */
  readonly channelHealth: readonly { readonly node: string; readonly channel: string; readonly state: string; readonly reason?: string; readonly atMs: number }[];
  /** The slowest first hand-outs, each with the sender's steps: where a latency target's tail went. */
  readonly slowest: readonly SlowMessage[];
  /** Seize faults: what the adversary opened with the seized material, by kind of envelope. */
  readonly seizures?: readonly SeizureReport[];
  /** Why the drill failed ("2 lost", "1 target(s) missed"); empty when it passed. */
  readonly failures: readonly string[];
  readonly passed: boolean;
}
