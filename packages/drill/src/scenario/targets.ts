import type { Precedence } from '@herald/core';
import { describe, parseDuration, ScenarioError } from './fields.js';
import type { TargetEntry } from './schema.js';
import type { Target } from './types.js';

const HOUR = 3_600_000;
/** The fields each metric reads; another metric's field is refused, so a misplaced one never goes unnoticed. */
const METRIC_FIELDS: Record<Target['metric'], readonly (keyof TargetEntry)[]> = {
  latency: ['metric', 'name', 'precedence', 'channel', 'during', 'percentile', 'max'],
  failover: ['metric', 'name', 'fault', 'max'],
  deliveries: ['metric', 'name', 'channel', 'min'],
  revocation: ['metric', 'name', 'fault', 'max'],
};

/**
 * `targets:` — what the drill must show, besides "nothing lost, nothing duplicated":
 * - `{ metric: latency, precedence?, channel?, percentile: 99, max: 3s, during?: FAULT }`
 *   (during: only messages sent while that fault was in force);
 * - `{ metric: failover, fault: FAULT, max: 5s }` (fault → next delivery over another channel);
 * - `{ metric: deliveries, channel: bundle, min: 1 }` (the channel carried at least that many);
 * - `{ metric: revocation, fault: FAULT, max: 5s }` (a revoke fault → every other node refuses the key).
 */
export function parseTargets(list: readonly TargetEntry[], path: string, faults: ReadonlySet<string>): Target[] {
  return list.map((entry, index) => {
    const at = `${path}[${index}]`;
    const metric = entry.metric;
    const extra = Object.keys(entry).find((key) => !METRIC_FIELDS[metric].includes(key as keyof TargetEntry));
    if (extra !== undefined) throw new ScenarioError(`${at}: unknown field "${extra}" for metric ${metric}`, `${at}.${extra}`);
    const fault = (key: 'during' | 'fault'): string => {
      const name = entry[key];
      if (name === undefined) throw new ScenarioError(`${at}.${key}: expected a non-empty string, got nothing`);
      if (!faults.has(name)) throw new ScenarioError(`${at}.${key}: no fault is named ${describe(name)} (faults: ${[...faults].join(', ') || 'none'})`);
      return name;
    };
    const channel = (): string => {
      if (entry.channel === undefined) throw new ScenarioError(`${at}.channel: expected a non-empty string, got nothing`);
      return entry.channel;
    };
    if (metric === 'latency') {
      const precedence: Precedence | undefined = entry.precedence;
      const via = entry.channel;
      const during = entry.during !== undefined ? fault('during') : undefined;
      const percentile = entry.percentile ?? 100;
      const maxMs = parseDuration(entry.max, `${at}.max`, HOUR);
      const name = entry.name ?? `${precedence ?? 'all'}${via ? ` via ${via}` : ''} p${percentile} ≤ ${maxMs / 1000} s${during ? ` during ${during}` : ''}`;
      return { metric, name, percentile, maxMs, ...(precedence ? { precedence } : {}), ...(via ? { channel: via } : {}), ...(during ? { during } : {}) };
    }
    if (metric === 'failover') {
      const faultName = fault('fault');
      const maxMs = parseDuration(entry.max, `${at}.max`, HOUR);
      return { metric, fault: faultName, maxMs, name: entry.name ?? `failover after ${faultName} ≤ ${maxMs / 1000} s` };
    }
    if (metric === 'revocation') {
      const faultName = fault('fault');
      const maxMs = parseDuration(entry.max, `${at}.max`, HOUR);
      return { metric, fault: faultName, maxMs, name: entry.name ?? `every node refuses the key revoked by ${faultName} ≤ ${maxMs / 1000} s` };
    }
    const via = channel();
    const min = entry.min ?? 1;
    return { metric, channel: via, min, name: entry.name ?? `≥ ${min} delivered via ${via}` };
  });
}
