import { describe, expect, it } from 'vitest';
import { describeClock, describeDuration } from '../src/clock-warning.js';

describe('the clock warning', () => {
  it('reads at a glance: seconds below 10 minutes, minutes from there', () => {
    expect(describeDuration(0)).toBe('0 s');
    expect(describeDuration(-45_400)).toBe('45 s');
    expect(describeDuration(4 * 60_000 + 3_000)).toBe('4 min 3 s');
    expect(describeDuration(3_598_877)).toBe('1 h');
    expect(describeDuration(-(7 * 3_600_000 + 125_000))).toBe('7 h 2 min');
  });

  it('says which clock is off, which way, and what the node does about it', () => {
    expect(describeClock({ type: 'clock', source: 'relay ws://r/', offsetMs: -3_600_004, applied: true })).toBe("warning: this machine's clock is 1 h (-3600004 ms) ahead of relay ws://r/: sealing and checking with the corrected time; set the system clock\n");
    expect(describeClock({ type: 'clock', source: 'contact AB CD', offsetMs: 120_000, applied: false, reason: "that contact's clock" })).toBe("warning: clock of contact AB CD is 2 min (+120000 ms) ahead of this machine's: tell them to set it\n");
  });
});
