import { describe, expect, it } from 'vitest';
import { didYouMean, parseDuration } from '@herald/core';

describe('parseDuration', () => {
  it('reads every unit, decimals and zero', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('1.1s')).toBe(1100);
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration(' 7D ')).toBe(7 * 86_400_000);
  });

  it('leaves bare numbers, signs, unknown units and nonsense to the caller (undefined)', () => {
    for (const text of ['30', '-1s', '+1s', '1y', '1.s', 's', '', '1e3s', '1 day', '1.1234567s', '1.5ms', '0.0001s']) expect(parseDuration(text)).toBeUndefined();
  });
});

describe('didYouMean', () => {
  it('names the closest known word within a small distance, and nothing for a stranger', () => {
    expect(didYouMean('cutt', ['cut', 'at', 'until'])).toBe('cut');
    expect(didYouMean('maxRetentionSecond', ['maxRetentionSeconds', 'maxConnections'])).toBe('maxRetentionSeconds');
    expect(didYouMean('listne', ['listen', 'dataDir'])).toBe('listen');
    expect(didYouMean('zzzzzz', ['listen', 'dataDir'])).toBeUndefined();
  });
});
