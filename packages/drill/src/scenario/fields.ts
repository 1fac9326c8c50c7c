import { didYouMean, optionProblem, parseDuration as parseDurationMs, type OptionSchema } from '@herald/core';
import { ScenarioError } from '../errors.js';

export { ScenarioError };

/**
 * Checks a parsed file against its schema; the first problem becomes a ScenarioError whose path starts at `root`
 * (`scenario.faults[0].cut.mode: expected …, got …`) and whose field lets parseScenario add the line. Unknown keys
 * are refused: a typo must not silently turn a fault off.
 */
export function checkShape(schema: OptionSchema, value: unknown, root: string): void {
  const problem = optionProblem(schema, value);
  if (!problem) return;
  const path = pathOf(root, problem.field);
  if (problem.unknown) {
    const guess = didYouMean(problem.unknown.key, problem.unknown.known);
    throw new ScenarioError(`${path}: unknown field "${problem.unknown.key}"${guess ? ` (did you mean "${guess}"?)` : ''}`, `${path}.${problem.unknown.key}`);
  }
  throw new ScenarioError(`${path}: ${problem.expected}, got ${describe(problem.value)}`);
}

function pathOf(root: string, field: string): string {
  return field === '' ? root : field.startsWith('[') ? `${root}${field}` : `${root}.${field}`;
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

/** A duration that may be absent. */
export function optionalDuration(value: unknown, path: string, maxMs: number): number | undefined {
  return value === undefined ? undefined : parseDuration(value, path, maxMs);
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}
