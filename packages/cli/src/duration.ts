import { parseDuration as parseDurationMs } from '@herald/core';
import { UsageError } from './errors.js';

/**
 * Whole seconds from a command-line duration: core's one syntax ("30s", "10m",
 * "1h", "7d", "2w", "1.5m") or plain seconds ("3600"). Undefined for anything
 * else, for a part of a second, and for zero unless `allowZero` ("0" and "0s"
 * alike), so the caller can phrase the usage error in terms of its own flag.
 */
export function parseDuration(text: string, allowZero = false): number | undefined {
  const trimmed = text.trim();
  const ms = /^\d{1,12}$/.test(trimmed) ? Number(trimmed) * 1000 : parseDurationMs(trimmed);
  if (ms === undefined || ms % 1000 !== 0 || (ms === 0 && !allowZero)) return undefined;
  return ms / 1000;
}

/** A duration flag in seconds, or `fallback` when absent; anything unreadable is a usage error naming the flag. */
export function durationFlag(name: string, value: string | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  const seconds = parseDuration(value, allowZero);
  if (seconds === undefined) throw new UsageError(`${name} must be a duration such as 30s, 10m, 1h, 7d or plain seconds${allowZero ? ' (0 for none)' : ''}; got '${value}'`);
  return seconds;
}

/** The inverse for messages: the largest unit that divides evenly. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
