import { describe, expect, it } from 'vitest';
import { followRoundTrip, roundTripTimer } from '@herald/core';

describe('roundTripTimer (RFC 6298)', () => {
  it('starts at the floor, then follows SRTT + 4 × RTTVAR with α = 1/8 and β = 1/4', () => {
    const rtt = roundTripTimer();
    expect(rtt.estimate()).toBeUndefined();
    expect(rtt.timeout(2_000, 60_000)).toBe(2_000);
    rtt.sample(1_200);
    // First sample: SRTT = R, RTTVAR = R / 2.
    expect(rtt.estimate()).toEqual({ srttMs: 1_200, rttvarMs: 600, samples: 1 });
    expect(rtt.timeout(2_000, 60_000)).toBe(1_200 + 4 * 600);
    rtt.sample(1_000);
    // RTTVAR = 3/4 × 600 + 1/4 × |1200 − 1000| = 500; SRTT = 7/8 × 1200 + 1/8 × 1000 = 1175.
    expect(rtt.estimate()).toEqual({ srttMs: 1_175, rttvarMs: 500, samples: 2 });
    expect(rtt.timeout(0, 60_000, 3, 500)).toBe(500 + 3 * 1_175 + 4 * 500);
  });

  it('never goes below the floor nor above the ceiling, and a floor above the ceiling wins', () => {
    const rtt = roundTripTimer();
    rtt.sample(1);
    expect(rtt.timeout(2_000, 60_000), 'a fast link keeps its configured timeout').toBe(2_000);
    rtt.sample(100_000);
    expect(rtt.timeout(2_000, 60_000)).toBe(60_000);
    expect(rtt.timeout(90_000, 60_000), 'a configured timeout is never shortened').toBe(90_000);
  });

  it('backs off after a timeout (doubling, at most 8×) until the next sample', () => {
    const rtt = roundTripTimer();
    rtt.timedOut();
    expect(rtt.timeout(2_000, 60_000), 'no sample yet: the floor doubles').toBe(4_000);
    for (let i = 0; i < 5; i++) rtt.timedOut();
    expect(rtt.timeout(2_000, 60_000)).toBe(16_000);
    rtt.sample(500);
    expect(rtt.timeout(0, 60_000)).toBe(500 + 4 * 250);
  });

  it('doubles the floor after a timeout also when the estimate is below it (a fast link whose route just grew)', () => {
    const rtt = roundTripTimer();
    rtt.sample(1);
    expect(rtt.timeout(1_500, 60_000)).toBe(1_500);
    rtt.timedOut();
    expect(rtt.timeout(1_500, 60_000), 'RFC 6298: the timeout held to its minimum is what doubles').toBe(3_000);
    rtt.timedOut();
    expect(rtt.timeout(1_500, 60_000)).toBe(6_000);
    expect(rtt.timeout(1_500, 4_000), 'still at most the ceiling').toBe(4_000);
    rtt.sample(1);
    expect(rtt.timeout(1_500, 60_000), 'a fresh sample ends the backoff').toBe(1_500);
  });

  it('ignores samples that are not round trips', () => {
    const rtt = roundTripTimer();
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY, 10 * 60_000]) rtt.sample(bad);
    expect(rtt.estimate()).toBeUndefined();
  });

  it('followRoundTrip sizes a timeout from a transport-reported estimate', () => {
    expect(followRoundTrip(undefined, 2_000, 120_000, 2)).toBe(2_000);
    expect(followRoundTrip({ srttMs: 1_200, rttvarMs: 100, samples: 9 }, 2_000, 120_000, 2, 2_000)).toBe(2_000 + 2_400 + 400);
  });
});
