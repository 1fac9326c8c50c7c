import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateIdentity } from '@herald/core';
import { webSocketTransport } from '../src/index.js';
import { coverSchedule, MAX_CREDIT, poissonDelay } from '../src/cover.js';

afterEach(() => void vi.useRealTimers());

describe('traffic shape options', () => {
  it('are validated at construction with precise messages', () => {
    const identity = generateIdentity();
    const make = (extra: object) => () => webSocketTransport({ url: 'ws://x', identity, ...extra } as never);
    expect(make({ padding: 'always' })).toThrow('webSocketTransport: padding: expected one of preferred, required, off, got "always"');
    expect(make({ coverTraffic: {} })).toThrow('webSocketTransport: coverTraffic.framesPerMinute: expected whole frames per minute from 1 to 6000, got undefined');
    expect(make({ coverTraffic: { framesPerMinute: 0 } })).toThrow('webSocketTransport: coverTraffic.framesPerMinute: expected whole frames per minute from 1 to 6000, got 0');
    expect(make({ coverTraffic: { framesPerMinute: 60, frameBytes: 1000 } })).toThrow('webSocketTransport: coverTraffic.frameBytes: expected a frame bucket (512, 768, 1280, 2304, 4352, …), got 1000');
    expect(make({ coverTraffic: { framesPerMinute: 60, rate: 1 } })).toThrow('unknown option "rate"');
    expect(make({ padding: 'off', coverTraffic: { framesPerMinute: 60 } })).toThrow('coverTraffic: needs padding');
    expect(make({ padding: 'required', coverTraffic: { framesPerMinute: 60, frameBytes: 1280, echo: false } })).not.toThrow();
  });
});

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
    const schedule = coverSchedule({ framesPerMinute: 600, frameBytes: 512, echo: true }, () => sent++);
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
