import { describe, expect, it } from 'vitest';
import { PRECEDENCES, type Precedence } from '@herald/core';
import { precedenceMix } from '../src/load.js';

/** The largest gap, over every prefix of `picks` messages, between a precedence's count and its share of the weights. */
function worstDrift(weights: Partial<Record<Precedence, number>>, picks: number): number {
  const next = precedenceMix(weights);
  const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);
  const counts = new Map<Precedence, number>();
  let worst = 0;
  for (let n = 1; n <= picks; n++) {
    const precedence = next();
    counts.set(precedence, (counts.get(precedence) ?? 0) + 1);
    for (const each of PRECEDENCES) worst = Math.max(worst, Math.abs((counts.get(each) ?? 0) - ((weights[each] ?? 0) / total) * n));
  }
  return worst;
}

describe('the load’s precedence mix', () => {
  it('gives the satellite drill exactly its share of FLASH messages, spread over the load, never drifting by a message', () => {
    const weights = { FLASH: 1, IMMEDIATE: 3, PRIORITY: 4, ROUTINE: 12 };
    const next = precedenceMix(weights);
    const picks = Array.from({ length: 200 }, () => next());
    expect(picks.filter((precedence) => precedence === 'FLASH')).toHaveLength(10);
    expect(picks.filter((precedence) => precedence === 'ROUTINE')).toHaveLength(120);
    // One FLASH in every 20 messages, not ten at the end.
    for (let block = 0; block < 10; block++) expect(picks.slice(block * 20, block * 20 + 20).filter((precedence) => precedence === 'FLASH')).toHaveLength(1);
    expect(worstDrift(weights, 200)).toBeLessThan(1);
  });

  it('keeps every precedence within a message of its share for any weights, fractions and zeros included', () => {
    for (const weights of [{ FLASH: 1, ROUTINE: 5 }, { FLASH: 0.3, IMMEDIATE: 2.7, PRIORITY: 0, ROUTINE: 7 }, { ROUTINE: 1 }, { FLASH: 1, IMMEDIATE: 1, PRIORITY: 1, ROUTINE: 1 }, { FLASH: 999, ROUTINE: 1 }]) {
      expect(worstDrift(weights, 1000), JSON.stringify(weights)).toBeLessThan(1);
    }
  });

  it('never picks a precedence of weight 0 or none', () => {
    const next = precedenceMix({ FLASH: 0, ROUTINE: 2 });
    expect(new Set(Array.from({ length: 50 }, () => next()))).toEqual(new Set(['ROUTINE']));
  });
});
