import type { Delivery, Recorder } from '../recorder.js';
import type { Target } from '../scenario/types.js';
import { percentile, type FailoverRow, type Retransmissions } from './metrics.js';

export interface TargetResult {
  readonly name: string;
  readonly metric: Target['metric'];
  readonly ok: boolean;
  /** What was measured, in words (e.g. "2 140 ms over 14 messages"). */
  readonly measured: string;
  /** The number measured, in `unit`; absent when there was nothing to measure. */
  readonly value?: number;
  /** The bound: at most (latency, failover, first delivery, extra acceptances) or at least (deliveries), in `unit`. */
  readonly limit: number;
  /** `ratio`: extra acceptances per message sent. */
  readonly unit: 'ms' | 'deliveries' | 'ratio';
  /** Latency targets: which percentile, of which precedence (all when absent), so the bound can be drawn. */
  readonly percentile?: number;
  readonly precedence?: string;
  /** Failover targets: the fault they follow. */
  readonly fault?: string;
}

/** What the targets are checked against. */
export interface Measured {
  readonly recorder: Recorder;
  /** First hand-outs, in the order they came (firstDeliveries). */
  readonly deliveries: readonly (Delivery & { latencyMs: number })[];
  readonly failover: readonly FailoverRow[];
  /** Every node's name (revocation targets). */
  readonly nodes?: readonly string[];
  /** When the load started (first-delivery targets). */
  readonly start?: number;
  /** From the senders' outboxes at the end (extra-acceptances targets); absent when they were not read. */
  readonly retransmissions?: Retransmissions;
}

/** Checks each scenario target against what was measured. */
export function checkTargets(targets: readonly Target[], measured: Measured): TargetResult[] {
  const { recorder, deliveries, failover } = measured;
  return targets.map((target): TargetResult => {
    if (target.metric === 'revocation') return revocationTarget(target, recorder, measured.nodes ?? []);
    if (target.metric === 'first-delivery') return firstDeliveryTarget(target, measured);
    if (target.metric === 'extra-acceptances') return extraAcceptancesTarget(target, measured.retransmissions);
    if (target.metric === 'failover') {
      const base = { name: target.name, metric: target.metric, limit: target.maxMs, unit: 'ms', fault: target.fault } as const;
      const row = failover.find((each) => each.fault === target.fault);
      if (!row) return { ...base, ok: false, measured: 'the fault never happened' };
      if (row.failoverMs === undefined) return { ...base, ok: false, measured: 'no delivery over another channel after the fault' };
      return { ...base, ok: row.failoverMs <= target.maxMs, value: row.failoverMs, measured: `${row.failoverMs} ms (via ${row.via ?? '?'})` };
    }
    if (target.metric === 'deliveries') {
      const count = deliveries.filter((delivery) => delivery.channel === target.channel).length;
      return { name: target.name, metric: target.metric, limit: target.min, unit: 'deliveries', ok: count >= target.min, value: count, measured: `${count} delivered via ${target.channel}` };
    }
    const base = { name: target.name, metric: target.metric, limit: target.maxMs, unit: 'ms', percentile: target.percentile, ...(target.precedence ? { precedence: target.precedence } : {}) } as const;
    let window: { at: number; end: number } | undefined;
    if (target.during) {
      const fault = recorder.faults.find((each) => each.name === target.during);
      if (!fault) return { ...base, ok: false, measured: `fault ${target.during} never happened` };
      window = { at: fault.at, end: fault.end ?? Number.POSITIVE_INFINITY };
    }
    const values = deliveries
      .filter((delivery) => (!target.precedence || delivery.precedence === target.precedence) && (!target.channel || delivery.channel === target.channel))
      .filter((delivery) => {
        if (!window) return true;
        const sentAt = recorder.sent.get(delivery.key)?.sentAt ?? 0;
        return sentAt >= window.at && sentAt <= window.end;
      })
      .map((delivery) => delivery.latencyMs)
      .sort((a, b) => a - b);
    if (values.length === 0) return { ...base, ok: false, measured: 'no matching delivery to measure' };
    const value = percentile(values, target.percentile);
    return { ...base, ok: value <= target.maxMs, value, measured: `${value} ms over ${values.length} message(s)` };
  });
}

/** From the revoke fault to the last of the other nodes refusing the key; a node that never did fails the target. */
function revocationTarget(target: Extract<Target, { metric: 'revocation' }>, recorder: Recorder, nodes: readonly string[]): TargetResult {
  const base = { name: target.name, metric: target.metric, limit: target.maxMs, unit: 'ms', fault: target.fault } as const;
  const fault = recorder.faults.find((each) => each.name === target.fault);
  if (!fault?.revoked) return { ...base, ok: false, measured: 'the revocation never happened' };
  const revoked = fault.revoked;
  const others = nodes.filter((node) => node !== revoked);
  const times = others.map((node) => recorder.refusals.find((each) => each.node === node && each.contact === revoked && each.at >= fault.at)?.at);
  const missing = others.filter((_, index) => times[index] === undefined);
  if (missing.length > 0) return { ...base, ok: false, measured: `${missing.join(', ')} never refused ${revoked}'s key` };
  const value = Math.max(0, ...times.map((at) => at! - fault.at));
  return { ...base, ok: value <= target.maxMs, value, measured: `${value} ms until all ${others.length} other nodes refused ${revoked}'s key` };
}

/** From the start of the load to the first message any application got. */
function firstDeliveryTarget(target: Extract<Target, { metric: 'first-delivery' }>, measured: Measured): TargetResult {
  const base = { name: target.name, metric: target.metric, limit: target.maxMs, unit: 'ms' } as const;
  const first = measured.deliveries.reduce((earliest, delivery) => Math.min(earliest, delivery.at), Number.POSITIVE_INFINITY);
  if (measured.start === undefined || first === Number.POSITIVE_INFINITY) return { ...base, ok: false, measured: 'nothing reached an application' };
  const value = Math.max(0, first - measured.start);
  const via = measured.deliveries.find((delivery) => delivery.at === first)?.channel ?? '?';
  return { ...base, ok: value <= target.maxMs, value, measured: `${value} ms after the start (via ${via})` };
}

/** Acceptances beyond each message's first, per message sent (hedged resends and FLASH fan-out copies alike). */
function extraAcceptancesTarget(target: Extract<Target, { metric: 'extra-acceptances' }>, counts: Retransmissions | undefined): TargetResult {
  const base = { name: target.name, metric: target.metric, limit: target.maxRatio, unit: 'ratio' } as const;
  if (!counts || counts.messages === 0) return { ...base, ok: false, measured: "no sender's outbox to count" };
  const value = counts.extraAcceptances / counts.messages;
  return { ...base, ok: value <= target.maxRatio, value, measured: `${counts.extraAcceptances} extra acceptance(s) over ${counts.messages} message(s) (${(value * 100).toFixed(1)} %)` };
}
