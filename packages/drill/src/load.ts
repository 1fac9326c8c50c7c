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

/**
 * Precedences in the proportions of their weights, spread evenly: each message gets the precedence furthest below its
 * share so far (ties drawn at random), so every precedence's count stays within one message of its share at every
 * point of the load. Drawn independently, the count of a rare precedence drifts by chance (FLASH at weight 1 of 20
 * over 200 messages: 10 ± 3), and with it what depends on it (FLASH fan-out copies, a FLASH percentile).
 */
export function precedenceMix(weights: LoadSpec['precedences']): () => Precedence {
  const entries = PRECEDENCES.map((precedence) => ({ precedence, weight: weights[precedence] ?? 0, count: 0 })).filter((entry) => entry.weight > 0);
  const total = entries.reduce((sum, entry) => sum + entry.weight, 0);
  let picked = 0;
  return () => {
    picked++;
    const deficits = entries.map((entry) => (entry.weight / total) * picked - entry.count);
    const most = Math.max(...deficits);
    const behind = entries.filter((_, index) => most - deficits[index]! < 1e-9);
    const chosen = behind[behind.length === 1 ? 0 : randomInt(behind.length)]!;
    chosen.count++;
    return chosen.precedence;
  };
}

/**
 * Runs the steady load: message n is due at start + n / rate. Each picks a
 * sender, distinct recipients and a size from node's CSPRNG, and the next
 * precedence of the mix. Resolves when the last one is due or `signal` aborts.
 */
export async function runLoad(load: LoadSpec, nodes: ReadonlyMap<string, DrillNode>, recorder: Recorder, start: number, signal: AbortSignal): Promise<LoadStats> {
  const stats: LoadStats = { commanded: 0, skipped: 0 };
  const total = Math.floor((load.rate * load.durationMs) / 1000);
  const nextPrecedence = precedenceMix(load.precedences);
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
    const precedence = nextPrecedence();
    const size = pick(load.sizes);
    const commandedAt = Date.now();
    if (!nodes.get(from)!.command({ cmd: 'send', key, to, precedence, size })) {
      stats.skipped++;
      continue;
    }
    recorder.sent.set(key, { key, from, to, precedence, size, commandedAt, accepted: [], steps: [] });
    stats.commanded++;
  }
  return stats;
}
