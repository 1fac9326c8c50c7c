import { afterEach, describe, expect, it, vi } from 'vitest';
import { coverSchedule, MAX_CREDIT, poissonDelay } from '../src/relay/index.js';

afterEach(() => void vi.useRealTimers());

describe('cover schedule', () => {
  it('draws exponential gaps of the configured mean from the CSPRNG', () => {
    const draws = Array.from({ length: 20_000 }, () => poissonDelay(1000));
    const mean = draws.reduce((sum, value) => sum + value, 0) / draws.length;
    // Standard error of the mean: 1000 / √20 000 ≈ 7 ms; 5 standard errors either way.
    expect(mean).toBeGreaterThan(965);
    expect(mean).toBeLessThan(1035);
    expect(draws.every((value) => Number.isFinite(value) && value >= 0)).toBe(true);
    // Memoryless: about e⁻¹ of the gaps exceed the mean.
    expect(draws.filter((value) => value > 1000).length / draws.length).toBeCloseTo(Math.exp(-1), 1);
  });

  it('sends at the configured rate, and real frames take the place of due cover frames', () => {
    vi.useFakeTimers();
    let sent = 0;
    const schedule = coverSchedule(600, () => sent++);
    vi.advanceTimersByTime(10 * 60_000);
    // 6 000 expected; a Poisson count's standard deviation is about 77.
    expect(sent).toBeGreaterThan(6000 - 5 * 77);
    expect(sent).toBeLessThan(6000 + 5 * 77);
    sent = 0;
    for (let index = 0; index < MAX_CREDIT + 5; index++) schedule.realFrameSent();
    for (let index = 0; index < MAX_CREDIT; index++) vi.advanceTimersToNextTimer();
    expect(sent).toBe(0);
    vi.advanceTimersToNextTimer();
    expect(sent).toBe(1);
    schedule.stop();
    vi.advanceTimersByTime(60_000);
    expect(sent).toBe(1);
  });
});
