import type { Delivery, Recorder } from '../recorder.js';
import type { Target } from '../scenario/types.js';
import { percentile, type FailoverRow } from './metrics.js';

export interface TargetResult {
  readonly name: string;
  readonly ok: boolean;
  /** What was measured, in words (e.g. "2 140 ms over 14 messages"). */
  readonly measured: string;
}

/** Checks each scenario target against what was measured. */
export function checkTargets(targets: readonly Target[], recorder: Recorder, deliveries: readonly (Delivery & { latencyMs: number })[], failover: readonly FailoverRow[]): TargetResult[] {
  return targets.map((target): TargetResult => {
    if (target.metric === 'failover') {
      const row = failover.find((each) => each.fault === target.fault);
      if (!row) return { name: target.name, ok: false, measured: 'the fault never happened' };
      if (row.failoverMs === undefined) return { name: target.name, ok: false, measured: 'no delivery over another channel after the fault' };
      return { name: target.name, ok: row.failoverMs <= target.maxMs, measured: `${row.failoverMs} ms (via ${row.via ?? '?'})` };
    }
    if (target.metric === 'deliveries') {
      const count = deliveries.filter((delivery) => delivery.channel === target.channel).length;
      return { name: target.name, ok: count >= target.min, measured: `${count} delivered via ${target.channel}` };
    }
    let window: { at: number; end: number } | undefined;
    if (target.during) {
      const fault = recorder.faults.find((each) => each.name === target.during);
      if (!fault) return { name: target.name, ok: false, measured: `fault ${target.during} never happened` };
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
    if (values.length === 0) return { name: target.name, ok: false, measured: 'no matching delivery to measure' };
    const value = percentile(values, target.percentile);
    return { name: target.name, ok: value <= target.maxMs, measured: `${value} ms over ${values.length} message(s)` };
  });
}
