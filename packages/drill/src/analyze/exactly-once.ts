import type { DrillNode } from '../nodes.js';
import type { Recorder } from '../recorder.js';

export interface Violation {
  readonly key: string;
  readonly node: string;
  readonly problem: string;
}

export interface ExactlyOnce {
  /** (message, recipient) pairs the sending application saw enqueued. */
  readonly expected: number;
  readonly delivered: number;
  readonly lost: readonly Violation[];
  readonly duplicates: readonly Violation[];
  /** Handed out again after a SIGKILL of the receiver before its ack: allowed (docs/delivery.md, guarantee 3). */
  readonly redeliveredAfterCrash: number;
  /** Delivered although the sender died before reporting it enqueued: not counted, not an error. */
  readonly unconfirmed: number;
}

/**
 * Judges the receiving applications' view exactly as the CLI's crash test does,
 * run by run: within one process run a message is handed out at most once; it is
 * never handed out again after the application acked it; a second hand-out is
 * allowed only when the run that got it first was SIGKILLed before acking; and
 * every enqueued message reaches every one of its recipients.
 */
export function judgeExactlyOnce(recorder: Recorder, nodes: ReadonlyMap<string, DrillNode>): ExactlyOnce {
  const duplicates: Violation[] = [];
  let redelivered = 0;
  const events = [...recorder.deliveries.map((each) => ({ ...each, kind: 'got' as const })), ...recorder.acks.map((each) => ({ ...each, kind: 'ack' as const }))];
  // Lines of one run arrive in order; across runs, runs are sequential. Sort by run, keep arrival order within a run.
  const byNode = new Map<string, typeof events>();
  for (const event of events) byNode.set(event.node, [...(byNode.get(event.node) ?? []), event]);
  const gotBy = new Set<string>();
  for (const [node, list] of byNode) {
    const runs = nodes.get(node)?.runs ?? [];
    const ordered = list.map((event, index) => ({ event, index })).sort((a, b) => a.event.run - b.event.run || a.index - b.index);
    const ackedIn = new Map<string, number>();
    const gotIn = new Map<string, number>();
    const gotThisRun = new Set<string>();
    let currentRun = -1;
    for (const { event } of ordered) {
      if (event.run !== currentRun) {
        currentRun = event.run;
        gotThisRun.clear();
      }
      if (event.kind === 'ack') {
        ackedIn.set(event.key, event.run);
        continue;
      }
      gotBy.add(`${event.key}>${node}`);
      if (gotThisRun.has(event.key)) duplicates.push({ key: event.key, node, problem: `handed out twice in run ${event.run}` });
      else if (ackedIn.has(event.key)) duplicates.push({ key: event.key, node, problem: `handed out again in run ${event.run} after the application acked it in run ${ackedIn.get(event.key)}` });
      else if (gotIn.has(event.key)) {
        const first = gotIn.get(event.key)!;
        if (runs[first]?.killed) redelivered++;
        else duplicates.push({ key: event.key, node, problem: `handed out again in run ${event.run} although run ${first} was not killed` });
      }
      gotThisRun.add(event.key);
      gotIn.set(event.key, event.run);
    }
  }
  const lost: Violation[] = [];
  let expected = 0;
  let delivered = 0;
  const known = new Set<string>();
  for (const message of recorder.enqueued()) {
    for (const recipient of message.to) {
      expected++;
      known.add(`${message.key}>${recipient}`);
      if (gotBy.has(`${message.key}>${recipient}`)) delivered++;
      else lost.push({ key: message.key, node: recipient, problem: `never handed out (${message.precedence}, accepted by ${message.accepted.join(', ') || 'no channel'})` });
    }
  }
  const unconfirmed = [...gotBy].filter((pair) => !known.has(pair)).length;
  return { expected, delivered, lost, duplicates, redeliveredAfterCrash: redelivered, unconfirmed };
}
