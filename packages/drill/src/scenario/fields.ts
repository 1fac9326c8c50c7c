import { didYouMean, parseDuration as parseDurationMs } from '@herald/core';

import { ScenarioError } from '../errors.js';

export { ScenarioError };

/**
 * A typed view of one YAML mapping with its path (`faults[2].cut`), so every
 * message points at the exact field. Unknown keys are refused: a typo must not
 * silently turn a fault off.
 */
export class Fields {
  private readonly used = new Set<string>();
  constructor(
    readonly path: string,
    private readonly data: Record<string, unknown>,
  ) {}

  static of(path: string, value: unknown): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ScenarioError(`${path}: expected a mapping, got ${describe(value)}`);
    return new Fields(path, value as Record<string, unknown>);
  }

  has(key: string): boolean {
    return this.data[key] !== undefined;
  }

  raw(key: string): unknown {
    this.used.add(key);
    return this.data[key];
  }

  at(key: string): string {
    return `${this.path}.${key}`;
  }

  string(key: string, fallback?: string): string {
    const value = this.raw(key) ?? fallback;
    if (typeof value !== 'string' || value === '') throw new ScenarioError(`${this.at(key)}: expected a non-empty string, got ${describe(value)}`);
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key) ?? fallback;
    if (typeof value !== 'boolean') throw new ScenarioError(`${this.at(key)}: expected true or false, got ${describe(value)}`);
    return value;
  }

  number(key: string, min: number, max: number, fallback?: number): number {
    const value = this.raw(key) ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw new ScenarioError(`${this.at(key)}: expected a number from ${min} to ${max}, got ${describe(value)}`);
    return value;
  }

  oneOf<T extends string>(key: string, choices: readonly T[], fallback?: T): T {
    const value = this.raw(key) ?? fallback;
    if (typeof value !== 'string' || !choices.includes(value as T)) throw new ScenarioError(`${this.at(key)}: expected one of ${choices.join(', ')}, got ${describe(value)}`);
    return value as T;
  }

  duration(key: string, maxMs: number, fallback?: number): number {
    const value = this.raw(key);
    if (value === undefined && fallback !== undefined) return fallback;
    return parseDuration(value, this.at(key), maxMs);
  }

  optionalDuration(key: string, maxMs: number): number | undefined {
    return this.has(key) ? this.duration(key, maxMs) : undefined;
  }

  list(key: string, fallback?: readonly unknown[]): readonly unknown[] {
    const value = this.raw(key) ?? fallback;
    if (!Array.isArray(value)) throw new ScenarioError(`${this.at(key)}: expected a list, got ${describe(value)}`);
    return value;
  }

  /** Call after reading every field: names the first key nobody asked for. */
  done(): void {
    const extra = Object.keys(this.data).find((key) => !this.used.has(key));
    if (extra === undefined) return;
    const guess = didYouMean(extra, this.used);
    throw new ScenarioError(`${this.path}: unknown field "${extra}"${guess ? ` (did you mean "${guess}"?)` : ''}`, this.at(extra));
  }
}

/** Core's one duration syntax (`250ms`, `1.5s`, `2m`, `1h`); a bare number is seconds. */
export function parseDuration(value: unknown, path: string, maxMs: number): number {
  let ms: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) ms = value * 1000;
  else if (typeof value === 'string') {
    ms = parseDurationMs(value);
  }
  if (ms === undefined) throw new ScenarioError(`${path}: expected a duration such as 500ms, 3s or 1m, got ${describe(value)}`);
  if (ms < 0 || ms > maxMs) throw new ScenarioError(`${path}: ${String(value)} is out of range (0 to ${maxMs / 1000} s)`);
  return Math.round(ms);
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}
