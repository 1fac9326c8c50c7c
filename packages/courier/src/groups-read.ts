import { BASE32_ALPHABET, LETTERS_ALPHABET, canonical, type Alphabet } from './alphabet.js';
import { lineCheck, wholeCheck } from './checks.js';
import { fromDigits, unpackNumber } from './digits.js';
import { CourierError, type GroupsProblem } from './errors.js';
import { parseGroupsText, type ParsedHeader, type ParsedLine } from './groups-parse.js';
import { suggestCorrection, type Correction } from './groups-correct.js';
import { fromPayload, KIND_COMPACT, type PayloadForm } from './payload.js';

export interface ReadGroupsOptions {
  /** The recipient's 16-byte routing tag (from their card): restores the compact form. */
  readonly routingTag?: Uint8Array;
  /** Apply single-symbol corrections when exactly one makes the line check AND the whole check pass. Default false. */
  readonly correct?: boolean;
}

export interface ReadGroupsResult {
  readonly envelope: Uint8Array;
  readonly number: number;
  readonly alphabet: Alphabet['name'];
  readonly form: PayloadForm;
  /** Corrections applied (only with `correct`). */
  readonly corrections: readonly Correction[];
}

type LineVerdict = { ok: true; data: string } | { ok: false; problem: GroupsProblem; suggestion?: Correction };

/**
 * Reads typed groups back into the envelope. Succeeds only when every line
 * and the whole check out; otherwise throws GROUPS_INCOMPLETE whose `problems`
 * name each wrong, malformed or missing line (and a likely fix where a single
 * symbol explains the error), so the operator asks for exactly those again.
 */
export function readGroups(text: string, options: ReadGroupsOptions = {}): ReadGroupsResult {
  if (typeof text !== 'string') throw new TypeError('groups text must be a string');
  const parsed = parseGroupsText(text);
  const header = oneHeader(parsed.headers, parsed.lines);
  const alphabet = header.base32 ? BASE32_ALPHABET : LETTERS_ALPHABET;
  const lineCount = Math.ceil(header.groups / header.perLine);
  // Bounded before any per-line work: a mistyped GR must not make the reader list a million missing lines.
  if (header.perLine > 25 || lineCount > 999) throw new CourierError('BAD_GROUPS', `NR ${header.number}: the header "${header.text}" describes ${lineCount} lines of ${header.perLine} groups (at most 999 lines of 25): check GR and LN`);
  const problems: GroupsProblem[] = [...parsed.problems];
  const corrections: Correction[] = [];
  const byLabel = new Map<number, ParsedLine[]>();
  for (const line of parsed.lines) {
    if (line.label < 1 || line.label > lineCount) {
      problems.push({ line: line.label, kind: 'malformed', detail: `line ${line.label} is not part of NR ${header.number} (GR ${header.groups} makes ${lineCount} line${lineCount === 1 ? '' : 's'})` });
      continue;
    }
    byLabel.set(line.label, [...(byLabel.get(line.label) ?? []), line]);
  }
  let data = '';
  for (let line = 1; line <= lineCount; line++) {
    const expected = line < lineCount ? header.perLine : header.groups - header.perLine * (lineCount - 1);
    const candidates = byLabel.get(line) ?? [];
    if (candidates.length === 0) {
      problems.push({ line, kind: 'missing', detail: `line ${line} is missing` });
      continue;
    }
    const verdicts = candidates.map((candidate) => judgeLine(alphabet, header.number, candidate, expected));
    const good = [...new Set(verdicts.flatMap((verdict) => (verdict.ok ? [verdict.data] : [])))];
    if (good.length > 1) problems.push({ line, kind: 'conflict', detail: `line ${line} was received twice, differently, and both versions check: ask for it again` });
    const chosen = good[0];
    if (chosen !== undefined) {
      data += chosen;
      continue;
    }
    const failed = verdicts.find((verdict): verdict is Extract<LineVerdict, { ok: false }> => !verdict.ok);
    if (!failed) continue;
    if (options.correct && failed.suggestion) {
      corrections.push(failed.suggestion);
      data += failed.suggestion.data;
    } else problems.push(failed.problem);
  }
  if (problems.length > 0) throw incomplete(header, problems);
  if (wholeCheck(alphabet, header.number, header.groups, header.perLine, data) !== canonical(alphabet, header.check)) {
    const detail = corrections.length > 0
      ? 'the whole does not check after the suggested corrections: ask for the corrected lines again'
      : `every line checks but the whole does not: the header (NR ${header.number} GR ${header.groups} CK ${header.check}) may be mistyped, or a line belongs to another message`;
    throw incomplete(header, [{ line: 0, kind: 'wrong', detail }]);
  }
  const value = fromDigits(Array.from(data, (char) => alphabet.digit(char) ?? 0), alphabet.radix);
  const unpacked = unpackNumber(value);
  if (!unpacked) throw new CourierError('BAD_GROUPS', 'the groups decode to nothing');
  const envelope = fromPayload(unpacked.kind, unpacked.bytes, options.routingTag);
  return { envelope, number: header.number, alphabet: alphabet.name, form: unpacked.kind === KIND_COMPACT ? 'compact' : 'full', corrections };
}

function oneHeader(headers: readonly ParsedHeader[], lines: readonly ParsedLine[]): ParsedHeader {
  const first = headers[0];
  if (!first) {
    const present = [...new Set(lines.map((line) => line.label))].sort((a, b) => a - b);
    const what = present.length > 0 ? `; lines ${present.join(', ')} are present but cannot be checked without it` : '';
    throw new CourierError('GROUPS_INCOMPLETE', `the header line (NR … GR … CK …) is missing${what}`, { problems: [{ line: 0, kind: 'missing', detail: 'the header line is missing' }] });
  }
  const numbers = [...new Set(headers.map((header) => header.number))];
  if (numbers.length > 1) throw new CourierError('BAD_GROUPS', `the input holds several messages (NR ${numbers.join(', NR ')}): read one message at a time`);
  const variants = [...new Set(headers.map((header) => `${header.base32} ${header.groups} ${header.perLine} ${header.check}`))];
  if (variants.length > 1) {
    throw new CourierError('GROUPS_INCOMPLETE', `NR ${first.number}: the header was received more than once, differently (${headers.map((header) => `"${header.text}"`).join(' and ')}): ask for it again`, {
      problems: [{ line: 0, kind: 'conflict', detail: 'the header was received twice, differently' }],
    });
  }
  return first;
}

function judgeLine(alphabet: Alphabet, number: number, line: ParsedLine, expected: number): LineVerdict {
  const label = line.label;
  if (line.bad.length > 0) return { ok: false, problem: { line: label, kind: 'malformed', detail: `line ${label}: "${line.bad.join(' ')}" is not a group of five symbols` } };
  const symbols = line.groups.map((group) => canonical(alphabet, group));
  const invalid = line.groups.find((_, index) => symbols[index] === undefined);
  if (invalid !== undefined) return { ok: false, problem: { line: label, kind: 'malformed', detail: `line ${label}: "${invalid}" has a symbol outside the ${alphabet.name === 'letters' ? 'letters A–Z' : 'Crockford base32 alphabet'}` } };
  if (line.groups.length !== expected + 1) {
    return { ok: false, problem: { line: label, kind: 'malformed', detail: `line ${label} has ${line.groups.length} groups; it should have ${expected} and its check group` } };
  }
  const data = symbols.slice(0, -1).join('');
  const check = symbols.at(-1) ?? '';
  if (lineCheck(alphabet, number, label, data) === check) return { ok: true, data };
  const suggestion = suggestCorrection(alphabet, number, label, data, check);
  const hint = suggestion ? `; ${suggestion.description} would make it check` : '';
  return { ok: false, problem: { line: label, kind: 'wrong', detail: `line ${label} does not match its check group${hint}` }, ...(suggestion ? { suggestion } : {}) };
}

function incomplete(header: ParsedHeader, problems: readonly GroupsProblem[]): CourierError {
  const sorted = [...problems].sort((a, b) => a.line - b.line);
  const missing = sorted.filter((problem) => problem.kind === 'missing').map((problem) => problem.line);
  const summary = [
    ...(missing.length > 0 ? [`missing line${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`] : []),
    ...sorted.filter((problem) => problem.kind !== 'missing').map((problem) => problem.detail),
  ];
  return new CourierError('GROUPS_INCOMPLETE', `NR ${header.number}: ${summary.join('; ')}`, { problems: sorted });
}
