import { describe, expect, it } from 'vitest';
import { summarize, type PipelineResult } from '../src/relay/pipeline.js';

const round = (perSecond: number, latenciesMs: number[]): PipelineResult => ({ perSecond, p50Ms: Number.NaN, p99Ms: Number.NaN, latenciesMs });

describe('summarize', () => {
  it('takes the median round’s throughput and latency percentiles over every item of every round', () => {
    const fast = Array.from({ length: 100 }, (_, index) => index + 1);
    const slow = Array.from({ length: 100 }, (_, index) => index + 101);
    const figures = summarize([round(30, slow), round(10, fast), round(20, [])]);
    expect(figures.perSecond).toBe(20);
    // 200 items: the 101st and the 199th, whatever round they came from.
    expect(figures.p50Ms).toBe(101);
    expect(figures.p99Ms).toBe(199);
  });
});
