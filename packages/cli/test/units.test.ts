import { EnvelopeError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { durationFlag, parseDuration } from '../src/duration.js';
import { CliError, UsageError, describeError } from '../src/errors.js';
import { printable } from '../src/text.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['10m', 600],
    ['1h', 3600],
    ['7d', 604800],
    ['3600', 3600],
    ['2H', 7200],
    ['1.5h', 5400],
    ['2w', 1_209_600],
  ])('%s is %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', 'xyz', '0', '0s', '-5', '1.5s', '500ms', 'h', '1h30m', '1y', '99999999999999d'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('takes zero, written either way, only where the flag allows it', () => {
    expect(parseDuration('0', true)).toBe(0);
    expect(parseDuration('0s', true)).toBe(0);
    expect(parseDuration('0m', true)).toBe(0);
    expect(durationFlag('--wait', '0s', 30, true)).toBe(0);
    expect(() => durationFlag('--ttl', '0s', 30)).toThrow(UsageError);
  });
});

describe('describeError', () => {
  it('reports expected errors as one line with their code and exit 1', () => {
    expect(describeError(new EnvelopeError('NOT_FOR_ME', 'nope'), 'open', true)).toEqual({ exitCode: 1, text: 'error NOT_FOR_ME: nope\n' });
    expect(describeError(new CliError('FILE_NOT_FOUND', 'gone'), 'open', true)).toEqual({ exitCode: 1, text: 'error FILE_NOT_FOUND: gone\n' });
  });

  it('points usage errors at the right help and exits 2', () => {
    expect(describeError(new UsageError('bad'), 'seal', false)).toEqual({ exitCode: 2, text: "usage error: bad\nrun 'herald seal --help' for usage\n" });
    expect(describeError(new UsageError('bad'), undefined, false).text).toContain("'herald --help'");
  });

  it('reports anything else as an internal error, exit 70, with a stack only in debug mode', () => {
    const quiet = describeError(new TypeError('boom'), 'seal', false);
    expect(quiet.exitCode).toBe(70);
    expect(quiet.text).toMatch(/^internal error: boom\n/);
    expect(quiet.text).not.toContain('    at ');
    expect(describeError(new TypeError('boom'), 'seal', true).text).toContain('    at ');
  });
});

describe('printable', () => {
  it('escapes characters that could forge metadata lines or drive the terminal', () => {
    expect(printable('text/plain\nsender: FORGED\u001b[2J\u202e')).toBe('text/plain\\u000asender: FORGED\\u001b[2J\\u202e');
    expect(printable('application/json; charset=utf-8')).toBe('application/json; charset=utf-8');
  });
});
