import { envelopeId } from '@herald/core';
import { lineCheck, wholeCheck } from './checks.js';
import { toDigits, packNumber } from './digits.js';
import { CourierError } from './errors.js';
import { MAX_GROUPS_ENVELOPE_BYTES, numberFromId, resolveGroupsOptions, type GroupsOptions } from './groups-options.js';
import { toPayload, type PayloadForm } from './payload.js';

export interface RenderedGroups {
  /** The text to transmit: the header line, then the numbered lines, each ending in its check group. */
  readonly text: string;
  readonly number: number;
  readonly form: PayloadForm;
  readonly dataGroups: number;
  readonly lines: number;
  /** Everything the operator transmits, in groups: data, one check per line, and the header's check. */
  readonly totalGroups: number;
}

/**
 *     NR 417 GR 79 CK KXQRM
 *     01 ABCDE FGHIJ … (10 data groups)  PQRST
 *     …
 * The header gives the message number, the data group count and the check of
 * the whole; `B32` marks Crockford base32, `LN n` a line length other than 10.
 */
export function renderGroups(envelope: Uint8Array, options: GroupsOptions = {}): RenderedGroups {
  const resolved = resolveGroupsOptions(options);
  if (!(envelope instanceof Uint8Array)) throw new TypeError('envelope must be a Uint8Array');
  if (envelope.length > MAX_GROUPS_ENVELOPE_BYTES) {
    throw new CourierError('TOO_LARGE_FOR_CHANNEL', `an envelope of ${envelope.length} bytes is too large for groups (at most ${MAX_GROUPS_ENVELOPE_BYTES}); send it as a bundle or QR codes`);
  }
  const { alphabet, groupsPerLine } = resolved;
  const payload = toPayload(envelope, resolved.form);
  const number = resolved.number ?? numberFromId(envelopeId(envelope));
  const digits = toDigits(packNumber(payload.kind, payload.bytes), alphabet.radix);
  // Zero digits in front change nothing in the number: they only fill the first group.
  const dataGroups = Math.ceil(digits.length / 5);
  while (digits.length < dataGroups * 5) digits.unshift(0);
  const data = digits.map((digit) => alphabet.symbols[digit]).join('');
  const lineCount = Math.ceil(dataGroups / groupsPerLine);
  // Line numbers are 1–3 digits, which keeps them apart from five-symbol groups (even all-digit base32 ones).
  if (lineCount > 999) throw new CourierError('TOO_LARGE_FOR_CHANNEL', `${dataGroups} groups make ${lineCount} lines (at most 999): put more groups on a line`);
  const width = String(lineCount).length < 2 ? 2 : String(lineCount).length;
  const header = ['NR', String(number), ...(alphabet.radix === 32 ? ['B32'] : []), 'GR', String(dataGroups), ...(groupsPerLine === 10 ? [] : ['LN', String(groupsPerLine)]), 'CK', wholeCheck(alphabet, number, dataGroups, groupsPerLine, data)];
  const lines = [header.join(' ')];
  for (let line = 1; line <= lineCount; line++) {
    const slice = data.slice((line - 1) * groupsPerLine * 5, line * groupsPerLine * 5);
    const groups = slice.match(/.{5}/g) ?? [];
    lines.push(`${String(line).padStart(width, '0')} ${groups.join(' ')}  ${lineCheck(alphabet, number, line, slice)}`);
  }
  return { text: `${lines.join('\n')}\n`, number, form: payload.kind === 1 ? 'compact' : 'full', dataGroups, lines: lineCount, totalGroups: dataGroups + lineCount + 1 };
}
