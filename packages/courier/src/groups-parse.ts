import type { GroupsProblem } from './errors.js';

/**
 * Tokenising what an operator typed, before any checking: any case, any
 * spacing and punctuation, line breaks anywhere, lines in any order, the same
 * message pasted from several transmissions. A line starts at its number (1–3
 * digits) and runs to the next number or header; a group is five symbols, and
 * groups typed without spaces between them are split again. Lines starting
 * with # are notes and ignored.
 */
export interface ParsedHeader {
  readonly number: number;
  readonly base32: boolean;
  readonly groups: number;
  readonly perLine: number;
  readonly check: string;
  readonly text: string;
}

export interface ParsedLine {
  readonly label: number;
  /** Upper-cased five-symbol groups as typed, the check group last. */
  readonly groups: readonly string[];
  /** Tokens that are not five symbols (a dropped or doubled letter). */
  readonly bad: readonly string[];
}

export interface ParsedGroups {
  readonly headers: readonly ParsedHeader[];
  readonly lines: readonly ParsedLine[];
  readonly problems: readonly GroupsProblem[];
}

const LABEL = /^[0-9]{1,3}$/;
const KEYWORDS = new Set(['NR', 'GR', 'LN', 'CK', 'B32']);

export function parseGroupsText(text: string): ParsedGroups {
  // Lines starting with # are notes (the manual: channel's banner, an operator's remarks), never groups.
  const uncommented = text.replace(/^[ \t]*#.*$/gm, '');
  const tokens = (uncommented.match(/[A-Za-z0-9]+/g) ?? []).map((token) => token.toUpperCase());
  const headers: ParsedHeader[] = [];
  const lines: ParsedLine[] = [];
  const problems: GroupsProblem[] = [];
  let current: { label: number; groups: string[]; bad: string[] } | undefined;
  const close = (): void => {
    if (current) lines.push(current);
    current = undefined;
  };
  let index = 0;
  while (index < tokens.length) {
    const token = tokens[index] ?? '';
    if (token === 'NR') {
      close();
      const { header, next, problem } = parseHeader(tokens, index);
      if (header) headers.push(header);
      if (problem) problems.push({ line: 0, kind: 'malformed', detail: problem });
      index = next;
      continue;
    }
    index++;
    if (LABEL.test(token)) {
      close();
      current = { label: Number(token), groups: [], bad: [] };
    } else if (!current) {
      problems.push({ line: 0, kind: 'malformed', detail: `"${token}" stands before any line number` });
    } else if (token.length % 5 === 0 && !KEYWORDS.has(token)) {
      for (let start = 0; start < token.length; start += 5) current.groups.push(token.slice(start, start + 5));
    } else current.bad.push(token);
  }
  close();
  return { headers, lines, problems };
}

function parseHeader(tokens: readonly string[], start: number): { header?: ParsedHeader; next: number; problem?: string } {
  let index = start + 1;
  const take = (): string | undefined => tokens[index++];
  const numberAfter = (keyword: string): number | string => {
    const value = take();
    return value !== undefined && /^[0-9]{1,6}$/.test(value) ? Number(value) : `${keyword} must be followed by a number, not "${value ?? ''}"`;
  };
  const number = numberAfter('NR');
  let base32 = false;
  let groups: number | string | undefined;
  let perLine: number | string = 10;
  let check: string | undefined;
  while (index < tokens.length && check === undefined) {
    const keyword = tokens[index];
    if (keyword === 'B32') {
      base32 = true;
      index++;
    } else if (keyword === 'GR') {
      index++;
      groups = numberAfter('GR');
    } else if (keyword === 'LN') {
      index++;
      perLine = numberAfter('LN');
    } else if (keyword === 'CK') {
      index++;
      check = take() ?? '';
    } else break;
  }
  const text = tokens.slice(start, index).join(' ');
  const problem =
    typeof number === 'string' ? number
    : typeof groups === 'string' ? groups
    : groups === undefined ? `the header "${text}" has no GR (group count)`
    : typeof perLine === 'string' ? perLine
    : check === undefined ? `the header "${text}" has no CK (check group)`
    : check.length !== 5 ? `the header's check group "${check}" is not five symbols`
    : groups < 1 || perLine < 1 ? `the header "${text}" counts no groups`
    : undefined;
  if (problem !== undefined) return { next: index, problem };
  return { header: { number: number as number, base32, groups: groups as number, perLine: perLine as number, check: check as string, text }, next: index };
}
