import type { Alphabet } from './alphabet.js';
import { lineCheck } from './checks.js';

/** A single-symbol fix that makes a line check: offered to the operator, applied only on request. */
export interface Correction {
  readonly line: number;
  /** 1-based group within the line; the check group is `groups + 1`. */
  readonly group: number;
  readonly from: string;
  readonly to: string;
  /** The line's corrected data symbols. */
  readonly data: string;
  readonly description: string;
}

/**
 * Looks for the one symbol whose change makes the line check: either in the
 * data (every position, every other symbol: at most 25 × 5 × 31 hashes) or in
 * the check group itself. Returns a fix only when exactly one exists; a line
 * with two or more errors gets none. With 2^23.5 check values a false fix is
 * rare, and the whole-message check and the envelope's own AEAD stand behind it.
 */
export function suggestCorrection(alphabet: Alphabet, number: number, line: number, data: string, check: string): Correction | undefined {
  const found: Correction[] = [];
  const group = (position: number): string => data.slice(position - (position % 5), position - (position % 5) + 5);
  for (let position = 0; position < data.length && found.length < 2; position++) {
    for (const symbol of alphabet.symbols) {
      if (symbol === data[position]) continue;
      const candidate = data.slice(0, position) + symbol + data.slice(position + 1);
      if (lineCheck(alphabet, number, line, candidate) !== check) continue;
      const groupNumber = Math.floor(position / 5) + 1;
      const to = group(position).slice(0, position % 5) + symbol + group(position).slice((position % 5) + 1);
      found.push({ line, group: groupNumber, from: group(position), to, data: candidate, description: `group ${groupNumber} ${group(position)} → ${to}` });
      if (found.length > 1) break;
    }
  }
  const computed = lineCheck(alphabet, number, line, data);
  if (differsInOne(computed, check)) {
    const groups = data.length / 5 + 1;
    found.push({ line, group: groups, from: check, to: computed, data, description: `check group ${check} → ${computed}` });
  }
  return found.length === 1 ? found[0] : undefined;
}

function differsInOne(a: string, b: string): boolean {
  let differences = 0;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) differences++;
  return a.length === b.length && differences === 1;
}
