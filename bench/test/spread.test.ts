import { describe, expect, it } from 'vitest';
import { machineBusySeconds, pairedRatios, processCpuSeconds, roundCost, spread, withSpread } from '../src/relay/spread.js';

describe('bench:relay spread', () => {
  it('takes the ratio round by round, and gives the median with the range of the rounds', () => {
    const relay = [{ perSecond: 50 }, { perSecond: 30 }, { perSecond: 60 }];
    const bare = [{ perSecond: 100 }, { perSecond: 100 }, { perSecond: 80 }];
    const ratios = pairedRatios(relay, bare);
    expect(ratios).toEqual([0.5, 0.3, 0.75]);
    expect(spread(ratios)).toEqual({ median: 0.5, min: 0.3, max: 0.75 });
    expect(withSpread(spread(ratios))).toBe('0.50 (rounds 0.30–0.75)');
  });

  it('reads CPU time from /proc: this process’s grows with work, a process that does not exist has none', () => {
    if (process.platform !== 'linux') return;
    const before = processCpuSeconds(process.pid);
    const cost = roundCost(process.pid);
    // Spins until this process has used 200 ms of CPU (however long that takes on a busy machine; 20 s at most).
    const start = process.cpuUsage();
    const giveUp = performance.now() + 20_000;
    const used = (): number => {
      const now = process.cpuUsage(start);
      return (now.user + now.system) / 1e6;
    };
    while (used() < 0.2 && performance.now() < giveUp);
    const spent = cost();
    expect(used()).toBeGreaterThanOrEqual(0.2);
    expect(processCpuSeconds(process.pid)).toBeGreaterThan(before);
    // The "server" here is this process too: both counts saw the same spin, within /proc's 10 ms tick.
    expect(spent.serverCpuSeconds).toBeGreaterThanOrEqual(0.15);
    expect(Math.abs(spent.serverCpuSeconds - spent.benchCpuSeconds)).toBeLessThan(0.05);
    expect(spent.otherCores).toBeGreaterThanOrEqual(0);
    expect(machineBusySeconds()).toBeGreaterThan(0);
    expect(processCpuSeconds(2 ** 30)).toBeNaN();
  });
});
