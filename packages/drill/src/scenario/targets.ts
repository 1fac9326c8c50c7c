import type { Precedence } from '@herald/core';
import { describe, parseDuration, ScenarioError } from './fields.js';
import type { TargetEntry } from './schema.js';
import type { Fault, Target } from './types.js';

const HOUR = 3_600_000;
/** The fields each metric reads; another metric's field is refused, so a misplaced one never goes unnoticed. */
const METRIC_FIELDS: Record<Target['metric'], readonly (keyof TargetEntry)[]> = {
  latency: ['metric', 'name', 'precedence', 'channel', 'during', 'percentile', 'max', 'roundTrips'],
  failover: ['metric', 'name', 'fault', 'max'],
  deliveries: ['metric', 'name', 'channel', 'min'],
  revocation: ['metric', 'name', 'fault', 'max'],
  'first-delivery': ['metric', 'name', 'max'],
  'extra-acceptances': ['metric', 'name', 'maxRatio'],
};
const seconds = (ms: number): string => `${ms / 1000} s`;

/** The round trip of the slowest delayed link: twice the largest delay of a fault in mode delay (undefined without one). */
export function delayedRoundTripMs(faults: readonly Fault[]): number | undefined {
  const delays = faults.map((fault) => ('mode' in fault.action && fault.action.mode === 'delay' ? (fault.action.delayMs ?? 0) : 0)).filter((delay) => delay > 0);
  return delays.length === 0 ? undefined : 2 * Math.max(...delays);
}

/**
 * `targets:` — what the drill must show, besides "nothing lost, nothing duplicated":
 * - `{ metric: latency, precedence?, channel?, percentile: 99, max: 3s, during?: FAULT }`
 *   (during: only messages sent while that fault was in force);
 * - `{ metric: failover, fault: FAULT, max: 5s }` (fault → next delivery over another channel);
 * - `{ metric: deliveries, channel: bundle, min: 1 }` (the channel carried at least that many);
 * - `{ metric: revocation, fault: FAULT, max: 5s }` (a revoke fault → every other node refuses the key);
 * - `{ metric: first-delivery, max: 5s }` (the start of the load → the first message at an application);
 * - `{ metric: extra-acceptances, maxRatio: 0.1 }` (acceptances beyond each message's first, per message sent).
 * A latency target's `roundTrips: N` adds N round trips of the slowest delayed link to `max`.
 */
export function parseTargets(list: readonly TargetEntry[], path: string, scenarioFaults: readonly Fault[]): Target[] {
  const faults = new Set(scenarioFaults.map((fault) => fault.name));
  const roundTripMs = delayedRoundTripMs(scenarioFaults);
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
      const baseMs = parseDuration(entry.max, `${at}.max`, HOUR);
      const trips = entry.roundTrips;
      if (trips !== undefined && roundTripMs === undefined) throw new ScenarioError(`${at}.roundTrips: no fault delays a link (mode delay), so there is no round trip to add`, `${at}.roundTrips`);
      const maxMs = baseMs + (trips ?? 0) * (roundTripMs ?? 0);
      const bound = trips === undefined ? seconds(maxMs) : `${seconds(baseMs)} + ${trips} round trip(s) of ${seconds(roundTripMs!)} = ${seconds(maxMs)}`;
      const name = entry.name ?? `${precedence ?? 'all'}${via ? ` via ${via}` : ''} p${percentile} ≤ ${bound}${during ? ` during ${during}` : ''}`;
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
    if (metric === 'first-delivery') {
      const maxMs = parseDuration(entry.max, `${at}.max`, HOUR);
      return { metric, maxMs, name: entry.name ?? `first delivery to an application ≤ ${seconds(maxMs)} after the start` };
    }
    if (metric === 'extra-acceptances') {
      if (entry.maxRatio === undefined) throw new ScenarioError(`${at}.maxRatio: expected a number from 0 to 100, got nothing`);
      const maxRatio = entry.maxRatio;
      return { metric, maxRatio, name: entry.name ?? `extra acceptances ≤ ${Number((maxRatio * 100).toFixed(2))} % of messages` };
    }
    const via = channel();
    const min = entry.min ?? 1;
    return { metric, channel: via, min, name: entry.name ?? `≥ ${min} delivered via ${via}` };
  });
}
