import type { OutboxSummary } from '../child/protocol.js';
import type { Built } from '../topology/build.js';
import type { Delivery, Recorder } from '../recorder.js';

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface LatencyRow extends Percentiles {
  readonly channel: string;
  readonly precedence: string;
}

export interface FailoverRow {
  readonly fault: string;
  readonly label: string;
  readonly at: number;
  readonly affects: readonly string[];
  /** Fault → first delivery after it over a channel it did not take away; undefined when none came. */
  readonly failoverMs?: number;
  readonly via?: string;
}

export interface Retransmissions {
  /** Messages sent, from the senders' outboxes at the end. */
  readonly messages: number;
  /** Acceptances beyond each message's first (hedged resends and fan-out copies). */
  readonly extraAcceptances: number;
  readonly failedAttempts: number;
  readonly resentMessages: number;
  readonly maxAttempts: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarize(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 };
}

/** Latency of a delivery: from the sending application's send() to the receiving application's hand-out. First hand-out per recipient only. */
export function firstDeliveries(recorder: Recorder): (Delivery & { latencyMs: number })[] {
  const seen = new Set<string>();
  const out: (Delivery & { latencyMs: number })[] = [];
  for (const delivery of [...recorder.deliveries].sort((a, b) => a.at - b.at)) {
    const pair = `${delivery.key}>${delivery.node}`;
    const sentAt = recorder.sent.get(delivery.key)?.sentAt;
    if (seen.has(pair) || sentAt === undefined) continue;
    seen.add(pair);
    out.push({ ...delivery, latencyMs: Math.max(0, delivery.at - sentAt) });
  }
  return out;
}

export function latencyTable(deliveries: readonly (Delivery & { latencyMs: number })[]): LatencyRow[] {
  const groups = new Map<string, number[]>();
  for (const delivery of deliveries) {
    for (const key of [`${delivery.channel}|${delivery.precedence}`, `${delivery.channel}|all`, `all|${delivery.precedence}`, 'all|all']) {
      const list = groups.get(key) ?? [];
      list.push(delivery.latencyMs);
      groups.set(key, list);
    }
  }
  return [...groups]
    .map(([key, values]) => {
      const [channel = 'all', precedence = 'all'] = key.split('|');
      return { channel, precedence, ...summarize(values) };
    })
    .sort((a, b) => a.channel.localeCompare(b.channel) || a.precedence.localeCompare(b.precedence));
}

export function failovers(recorder: Recorder, deliveries: readonly Delivery[]): FailoverRow[] {
  return recorder.faults
    .filter((fault) => fault.affects.length > 0)
    .map((fault) => {
      const next = deliveries.find((delivery) => delivery.at >= fault.at && !fault.affects.includes(delivery.channel));
      return { fault: fault.name, label: fault.label, at: fault.at, affects: fault.affects, ...(next ? { failoverMs: next.at - fault.at, via: next.channel } : {}) };
    });
}

export function retransmissions(outboxes: readonly OutboxSummary[]): Retransmissions {
  let extra = 0;
  let failed = 0;
  let resent = 0;
  let most = 0;
  for (const record of outboxes) {
    extra += Math.max(0, record.accepted - 1);
    failed += record.failed;
    if (record.accepted > 1) resent++;
    most = Math.max(most, record.accepted + record.failed);
  }
  return { messages: outboxes.length, extraAcceptances: extra, failedAttempts: failed, resentMessages: resent, maxAttempts: most };
}

/** Envelope bytes per channel (sent and taken in, summed over every node run) and bytes on the wire through the proxies. */
export function bytesPerChannel(recorder: Recorder, built: Built): Record<string, { envelopeSent: number; envelopeReceived: number; wire: number }> {
  const table: Record<string, { envelopeSent: number; envelopeReceived: number; wire: number }> = {};
  const row = (channel: string) => (table[channel] ??= { envelopeSent: 0, envelopeReceived: 0, wire: 0 });
  for (const runs of recorder.bytes.values()) {
    for (const counts of runs.values()) {
      for (const [channel, count] of Object.entries(counts.sent)) row(channel).envelopeSent += count;
      for (const [channel, count] of Object.entries(counts.received)) row(channel).envelopeReceived += count;
    }
  }
  for (const links of built.proxies.values()) {
    for (const [channel, proxies] of links) {
      for (const proxy of proxies) {
        const { up, down } = proxy.bytes();
        row(channel).wire += up + down;
      }
    }
  }
  return table;
}
