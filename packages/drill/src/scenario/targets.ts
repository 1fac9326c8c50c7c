import { PRECEDENCES, type Precedence } from '@herald/core';
import { describe, Fields, ScenarioError } from './fields.js';
import type { Target } from './types.js';

const HOUR = 3_600_000;

/**
 * `targets:` — what the drill must show, besides "nothing lost, nothing duplicated":
 * - `{ metric: latency, precedence?, channel?, percentile: 99, max: 3s, during?: FAULT }`
 *   (during: only messages sent while that fault was in force);
 * - `{ metric: failover, fault: FAULT, max: 5s }` (fault → next delivery over another channel);
 * - `{ metric: deliveries, channel: bundle, min: 1 }` (the channel carried at least that many);
 * - `{ metric: revocation, fault: FAULT, max: 5s }` (a revoke fault → every other node refuses the key).
 */
export function parseTargets(list: readonly unknown[], path: string, faults: ReadonlySet<string>): Target[] {
  return list.map((entry, index) => {
    const fields = Fields.of(`${path}[${index}]`, entry);
    const metric = fields.oneOf('metric', ['latency', 'failover', 'deliveries', 'revocation']);
    const fault = (key: string): string => {
      const name = fields.string(key);
      if (!faults.has(name)) throw new ScenarioError(`${fields.at(key)}: no fault is named ${describe(name)} (faults: ${[...faults].join(', ') || 'none'})`);
      return name;
    };
    let target: Target;
    if (metric === 'latency') {
      const precedence = fields.has('precedence') ? (fields.oneOf('precedence', PRECEDENCES) as Precedence) : undefined;
      const channel = fields.has('channel') ? fields.string('channel') : undefined;
      const during = fields.has('during') ? fault('during') : undefined;
      const percentile = fields.number('percentile', 1, 100, 100);
      const maxMs = fields.duration('max', HOUR);
      const name = fields.has('name') ? fields.string('name') : `${precedence ?? 'all'}${channel ? ` via ${channel}` : ''} p${percentile} ≤ ${maxMs / 1000} s${during ? ` during ${during}` : ''}`;
      target = { metric, name, percentile, maxMs, ...(precedence ? { precedence } : {}), ...(channel ? { channel } : {}), ...(during ? { during } : {}) };
    } else if (metric === 'failover') {
      const faultName = fault('fault');
      const maxMs = fields.duration('max', HOUR);
      target = { metric, fault: faultName, maxMs, name: fields.has('name') ? fields.string('name') : `failover after ${faultName} ≤ ${maxMs / 1000} s` };
    } else if (metric === 'revocation') {
      const faultName = fault('fault');
      const maxMs = fields.duration('max', HOUR);
      target = { metric, fault: faultName, maxMs, name: fields.has('name') ? fields.string('name') : `every node refuses the key revoked by ${faultName} ≤ ${maxMs / 1000} s` };
    } else {
      const channel = fields.string('channel');
      const min = fields.number('min', 0, 1e9, 1);
      target = { metric, channel, min, name: fields.has('name') ? fields.string('name') : `≥ ${min} delivered via ${channel}` };
    }
    fields.done();
    return target;
  });
}
