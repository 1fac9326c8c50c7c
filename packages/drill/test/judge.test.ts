import { describe, expect, it } from 'vitest';
import type { Precedence } from '@herald/core';
import { judgeExactlyOnce } from '../src/analyze/exactly-once.js';
import { failovers, firstDeliveries } from '../src/analyze/metrics.js';
import { checkTargets } from '../src/analyze/targets.js';
import { verdict } from '../src/analyze/verdict.js';
import type { DrillNode } from '../src/nodes.js';
import { Recorder } from '../src/recorder.js';
import type { Target } from '../src/scenario/types.js';

/**
 * The judgement a drill's exit code comes from, fed the event lines node
 * processes report: it must fail a drill that lost, duplicated or missed a
 * target, and pass only a clean one.
 */

/** Node runs as DrillNode keeps them: which process runs were SIGKILLed. */
function runs(table: Record<string, boolean[]>): ReadonlyMap<string, DrillNode> {
  return new Map(Object.entries(table).map(([name, killed]) => [name, { runs: killed.map((each, index) => ({ index, killed: each })) } as unknown as DrillNode]));
}

/** A message commanded at `at` and reported enqueued by its sender (unless `enqueued` is false). */
function send(recorder: Recorder, key: string, to: string[], { at = 1_000, precedence = 'ROUTINE' as Precedence, enqueued = true } = {}): void {
  recorder.sent.set(key, { key, from: 'ops', to, precedence, size: 256, commandedAt: at, accepted: [], steps: [] });
  if (enqueued) recorder.onEvent('ops', 0, { ev: 'enqueued', key, id: `id-${key}`, sentAt: at, at: at + 1 });
}

function got(recorder: Recorder, node: string, run: number, key: string, at: number, channel = 'relay', precedence: Precedence = 'ROUTINE'): void {
  recorder.onEvent(node, run, { ev: 'got', key, id: `id-${key}`, channel, precedence, at });
}

function ack(recorder: Recorder, node: string, run: number, key: string, at: number): void {
  recorder.onEvent(node, run, { ev: 'ack', key, at });
}

describe('exactly-once judgement', () => {
  it('passes when every enqueued message reached every recipient once', () => {
    const recorder = new Recorder();
    send(recorder, 'm1', ['field']);
    send(recorder, 'm2', ['field', 'base']);
    got(recorder, 'field', 0, 'm1', 1_100);
    ack(recorder, 'field', 0, 'm1', 1_101);
    got(recorder, 'field', 0, 'm2', 1_200);
    got(recorder, 'base', 0, 'm2', 1_210);
    const judged = judgeExactlyOnce(recorder, runs({ field: [false], base: [false] }));
    expect(judged).toMatchObject({ expected: 3, delivered: 3, lost: [], duplicates: [], redeliveredAfterCrash: 0, unconfirmed: 0 });
    expect(verdict(judged, 0, [])).toEqual({ passed: true, reasons: [] });
  });

  it('fails on a message never handed out, and on a recipient of a multi-recipient message left out', () => {
    const recorder = new Recorder();
    send(recorder, 'm1', ['field']);
    send(recorder, 'm2', ['field', 'base']);
    got(recorder, 'field', 0, 'm2', 1_200);
    const judged = judgeExactlyOnce(recorder, runs({ field: [false], base: [false] }));
    expect(judged.lost.map((each) => `${each.key}>${each.node}`)).toEqual(['m1>field', 'm2>base']);
    expect(judged.delivered).toBe(1);
    expect(verdict(judged, 0, [])).toEqual({ passed: false, reasons: ['2 lost'] });
  });

  it('fails on a message handed out twice within one process run', () => {
    const recorder = new Recorder();
    send(recorder, 'm1', ['field']);
    got(recorder, 'field', 0, 'm1', 1_100);
    got(recorder, 'field', 0, 'm1', 1_300);
    const judged = judgeExactlyOnce(recorder, runs({ field: [false] }));
    expect(judged.duplicates).toEqual([{ key: 'm1', node: 'field', problem: 'handed out twice in run 0' }]);
    expect(verdict(judged, 0, [])).toEqual({ passed: false, reasons: ['1 duplicated'] });
  });

  it('fails on a message handed out again after the application acked it, even across a crash', () => {
    const recorder = new Recorder();
    send(recorder, 'm1', ['field']);
    got(recorder, 'field', 0, 'm1', 1_100);
    ack(recorder, 'field', 0, 'm1', 1_101);
    got(recorder, 'field', 1, 'm1', 5_000);
    const judged = judgeExactlyOnce(recorder, runs({ field: [true, false] }));
    expect(judged.duplicates.map((each) => each.problem)).toEqual(['handed out again in run 1 after the application acked it in run 0']);
    expect(verdict(judged, 0, []).passed).toBe(false);
  });

  it('allows a second hand-out only when the run that got it first was SIGKILLed before its ack', () => {
    const crashed = new Recorder();
    send(crashed, 'm1', ['field']);
    got(crashed, 'field', 0, 'm1', 1_100);
    got(crashed, 'field', 1, 'm1', 5_000);
    ack(crashed, 'field', 1, 'm1', 5_001);
    const allowed = judgeExactlyOnce(crashed, runs({ field: [true, false] }));
    expect(allowed).toMatchObject({ duplicates: [], lost: [], redeliveredAfterCrash: 1 });
    expect(verdict(allowed, 0, []).passed).toBe(true);

    // The same lines, but run 0 ended cleanly: nothing excuses the second hand-out.
    const clean = judgeExactlyOnce(crashed, runs({ field: [false, false] }));
    expect(clean.duplicates.map((each) => each.problem)).toEqual(['handed out again in run 1 although run 0 was not killed']);
    expect(verdict(clean, 0, []).passed).toBe(false);
  });

  it('does not count a message its sender died before confirming, and does not call it lost', () => {
    const recorder = new Recorder();
    send(recorder, 'm1', ['field'], { enqueued: false });
    send(recorder, 'm2', ['field'], { enqueued: false });
    got(recorder, 'field', 0, 'm2', 1_100);
    const judged = judgeExactlyOnce(recorder, runs({ field: [false] }));
    expect(judged).toMatchObject({ expected: 0, delivered: 0, lost: [], unconfirmed: 1 });
  });

  it('fails a drill that was interrupted, even when all that was sent so far arrived', () => {
    const recorder = new Recorder();
    send(recorder, 'm1', ['field']);
    got(recorder, 'field', 0, 'm1', 1_100);
    const judged = judgeExactlyOnce(recorder, runs({ field: [false] }));
    expect(verdict(judged, 0, [], true)).toEqual({ passed: false, reasons: ['interrupted'] });
  });

  it('fails a drill in which a send was refused', () => {
    const recorder = new Recorder();
    send(recorder, 'm1', ['field']);
    got(recorder, 'field', 0, 'm1', 1_100);
    expect(verdict(judgeExactlyOnce(recorder, runs({ field: [false] })), 1, [])).toEqual({ passed: false, reasons: ['1 refused at send'] });
  });
});

describe('targets', () => {
  /** A relay cut from 10 s to 16 s: FLASH sent during it waited for the link; one ROUTINE went by mqtt 800 ms after the cut. */
  function cutDrill(): Recorder {
    const recorder = new Recorder();
    recorder.faults.push({ name: 'relay-cut', kind: 'cut', label: 'cut relay: blackhole', at: 10_000, end: 16_000, affects: ['relay'], downs: [{ at: 10_000, end: 16_000 }] });
    send(recorder, 'before', ['field'], { at: 9_000, precedence: 'FLASH' });
    got(recorder, 'field', 0, 'before', 9_050, 'relay', 'FLASH');
    send(recorder, 'during', ['field'], { at: 11_000, precedence: 'FLASH' });
    got(recorder, 'field', 0, 'during', 16_200, 'relay', 'FLASH');
    send(recorder, 'routine', ['field'], { at: 10_500 });
    got(recorder, 'field', 0, 'routine', 10_800, 'mqtt');
    return recorder;
  }

  function check(recorder: Recorder, targets: Target[]): ReturnType<typeof checkTargets> {
    const deliveries = firstDeliveries(recorder);
    return checkTargets(targets, { recorder, deliveries, failover: failovers(recorder, deliveries) });
  }

  it('measures FLASH latency during a fault from the messages sent while it lasted, and fails the drill when it is missed', () => {
    const recorder = cutDrill();
    const [missed, met] = check(recorder, [
      { metric: 'latency', name: 'FLASH within 3 s of the cut', precedence: 'FLASH', percentile: 100, maxMs: 3_000, during: 'relay-cut' },
      { metric: 'latency', name: 'FLASH p100 ≤ 6 s', precedence: 'FLASH', percentile: 100, maxMs: 6_000 },
    ]);
    expect(missed).toEqual({ name: 'FLASH within 3 s of the cut', metric: 'latency', ok: false, measured: '5200 ms over 1 message(s)', value: 5200, limit: 3000, unit: 'ms', percentile: 100, precedence: 'FLASH' });
    expect(met).toMatchObject({ ok: true, measured: '5200 ms over 2 message(s)', value: 5200, limit: 6000 });
    const judged = judgeExactlyOnce(recorder, runs({ field: [false] }));
    expect(judged.lost).toEqual([]);
    expect(verdict(judged, 0, [missed!, met!])).toEqual({ passed: false, reasons: ['1 target(s) missed'] });
  });

  it('measures failover to the first delivery over a channel the fault did not take away', () => {
    const recorder = cutDrill();
    expect(check(recorder, [
      { metric: 'failover', name: 'fast', fault: 'relay-cut', maxMs: 500 },
      { metric: 'failover', name: 'slow', fault: 'relay-cut', maxMs: 1_000 },
    ])).toEqual([
      { name: 'fast', metric: 'failover', ok: false, measured: '800 ms (via mqtt)', value: 800, limit: 500, unit: 'ms', fault: 'relay-cut' },
      { name: 'slow', metric: 'failover', ok: true, measured: '800 ms (via mqtt)', value: 800, limit: 1000, unit: 'ms', fault: 'relay-cut' },
    ]);
  });

  it('misses a failover target when nothing came over another channel, and a latency target with nothing to measure', () => {
    const recorder = new Recorder();
    recorder.faults.push({ name: 'relay-cut', kind: 'cut', label: 'cut relay: blackhole', at: 10_000, end: 16_000, affects: ['relay'], downs: [] });
    send(recorder, 'late', ['field'], { at: 11_000 });
    got(recorder, 'field', 0, 'late', 16_100, 'relay');
    expect(check(recorder, [
      { metric: 'failover', name: 'failover', fault: 'relay-cut', maxMs: 5_000 },
      { metric: 'latency', name: 'FLASH', precedence: 'FLASH', percentile: 99, maxMs: 3_000 },
      { metric: 'deliveries', name: 'courier', channel: 'bundle', min: 1 },
    ]).map((target) => [target.ok, target.measured])).toEqual([
      [false, 'no delivery over another channel after the fault'],
      [false, 'no matching delivery to measure'],
      [false, '0 delivered via bundle'],
    ]);
  });

  it('measures a revocation up to the last other node refusing the key; a node that never does, or a refusal from before, misses it', () => {
    const recorder = new Recorder();
    recorder.faults.push({ name: 'seized', kind: 'revoke', label: 'revoke phone', at: 5_000, end: 5_000, affects: [], downs: [], revoked: 'phone' });
    const nodes = ['ops', 'field', 'base', 'phone'];
    const target: Target = { metric: 'revocation', name: 'refused within 1 s', fault: 'seized', maxMs: 1_000 };
    recorder.onEvent('ops', 0, { ev: 'refuses', contact: 'phone', at: 5_010 });
    recorder.onEvent('field', 0, { ev: 'refuses', contact: 'phone', at: 5_400 });
    expect(checkTargets([target], { recorder, deliveries: [], failover: [], nodes })[0]).toMatchObject({ ok: false, measured: "base never refused phone's key" });
    recorder.onEvent('base', 0, { ev: 'refuses', contact: 'phone', at: 4_000 });
    expect(checkTargets([target], { recorder, deliveries: [], failover: [], nodes })[0]).toMatchObject({ ok: false, measured: "base never refused phone's key" });
    recorder.onEvent('base', 1, { ev: 'refuses', contact: 'phone', at: 6_200 });
    expect(checkTargets([target], { recorder, deliveries: [], failover: [], nodes })[0]).toEqual({ name: 'refused within 1 s', metric: 'revocation', ok: false, value: 1200, limit: 1000, unit: 'ms', fault: 'seized', measured: "1200 ms until all 3 other nodes refused phone's key" });
    expect(checkTargets([{ ...target, maxMs: 1_500 }], { recorder, deliveries: [], failover: [], nodes })[0]).toMatchObject({ ok: true, value: 1200 });
    expect(checkTargets([{ ...target, fault: 'other' }], { recorder, deliveries: [], failover: [], nodes })[0]).toMatchObject({ ok: false, measured: 'the revocation never happened' });
  });

  it('measures the first delivery from the start of the load, whichever message and channel it was', () => {
    const recorder = cutDrill();
    const deliveries = firstDeliveries(recorder);
    const first = (maxMs: number, start?: number) => checkTargets([{ metric: 'first-delivery', name: 'first', maxMs }], { recorder, deliveries, failover: [], ...(start === undefined ? {} : { start }) })[0];
    // The first hand-out is 'before' via relay at 9 050 ms; the load started at 4 000 ms.
    expect(first(5_000, 4_000)).toEqual({ name: 'first', metric: 'first-delivery', ok: false, value: 5_050, limit: 5_000, unit: 'ms', measured: '5050 ms after the start (via relay)' });
    expect(first(5_050, 4_000)).toMatchObject({ ok: true, value: 5_050 });
    expect(first(60_000)).toMatchObject({ ok: false, measured: 'nothing reached an application' });
    expect(checkTargets([{ metric: 'first-delivery', name: 'first', maxMs: 60_000 }], { recorder: new Recorder(), deliveries: [], failover: [], start: 0 })[0]).toMatchObject({ ok: false, measured: 'nothing reached an application' });
  });

  it('measures extra acceptances per message sent, and misses the target when no outbox was read', () => {
    const recorder = new Recorder();
    const extra = (maxRatio: number, retransmissions?: Parameters<typeof checkTargets>[1]['retransmissions']) =>
      checkTargets([{ metric: 'extra-acceptances', name: 'extra', maxRatio }], { recorder, deliveries: [], failover: [], ...(retransmissions ? { retransmissions } : {}) })[0];
    const counts = { messages: 200, extraAcceptances: 21, failedAttempts: 3, resentMessages: 18, maxAttempts: 3 };
    expect(extra(0.1, counts)).toEqual({ name: 'extra', metric: 'extra-acceptances', ok: false, value: 0.105, limit: 0.1, unit: 'ratio', measured: '21 extra acceptance(s) over 200 message(s) (10.5 %)' });
    expect(extra(0.1, { ...counts, extraAcceptances: 20 })).toMatchObject({ ok: true, value: 0.1 });
    expect(extra(0.1)).toMatchObject({ ok: false, measured: "no sender's outbox to count" });
    expect(extra(0.1, { ...counts, messages: 0, extraAcceptances: 0 })).toMatchObject({ ok: false });
  });
});
