import { randomInt } from 'node:crypto';
import { PRECEDENCES, type Precedence } from '@herald/core';
import type { DrillNode } from './nodes.js';
import type { Recorder } from './recorder.js';
import type { LoadSpec } from './scenario/types.js';
import { sleep } from './sleep.js';

export interface LoadStats {
  commanded: number;
  /** Due while the sending node was down (killed): the application could not send them. */
  skipped: number;
}

function pick<T>(items: readonly T[]): T {
  return items[randomInt(items.length)]!;
}

function pickPrecedence(weights: LoadSpec['precedences']): Precedence {
  const entries = PRECEDENCES.map((precedence) => [precedence, Math.round((weights[precedence] ?? 0) * 1000)] as const).filter(([, weight]) => weight > 0);
  let roll = randomInt(entries.reduce((sum, [, weight]) => sum + weight, 0));
  for (const [precedence, weight] of entries) {
    if (roll < weight) return precedence;
    roll -= weight;
  }
  return entries[0]![0];
}

/**
 * Runs the steady load: message n is due at start + n / rate. Each picks a
 * sender, distinct recipients, a precedence by weight and a size, all from
 * node's CSPRNG. Resolves when the last one is due or `signal` aborts.
 */
export async function runLoad(load: LoadSpec, nodes: ReadonlyMap<string, DrillNode>, recorder: Recorder, start: number, signal: AbortSignal): Promise<LoadStats> {
  const stats: LoadStats = { commanded: 0, skipped: 0 };
  const total = Math.floor((load.rate * load.durationMs) / 1000);
  for (let n = 0; n < total && !signal.aborted; n++) {
    const due = start + (n * 1000) / load.rate;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait, signal);
    if (signal.aborted) break;
    const senders = load.from.filter((name) => load.to.filter((other) => other !== name).length >= load.recipients);
    const from = pick(senders);
    const candidates = load.to.filter((name) => name !== from);
    const to: string[] = [];
    while (to.length < load.recipients) {
      const next = pick(candidates);
      if (!to.includes(next)) to.push(next);
    }
    const key = `${from}-${n}`;
    const precedence = pickPrecedence(load.precedences);
    const size = pick(load.sizes);
    const commandedAt = Date.now();
    if (!nodes.get(from)!.command({ cmd: 'send', key, to, precedence, size })) {
      stats.skipped++;
      continue;
    }
    recorder.sent.set(key, { key, from, to, precedence, size, commandedAt, accepted: [] });
    stats.commanded++;
  }
  return stats;
}
