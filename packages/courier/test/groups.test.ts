import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateIdentity, seal } from '@herald/core';
import { CourierError, readGroups, renderGroups } from '../src/index.js';

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const carol = generateIdentity({ label: 'Carol' });
const HUNDRED = 'Convoy leaves north gate 06:00 tomorrow. Bring water, fuel for 300 km, radios on channel 4. Confirm.';
const compact = seal(HUNDRED, { from: alice, to: bob.card, pad: false, sender: 'keyId' });
const tag = bob.card.routingTag;

function failure(run: () => unknown): CourierError {
  try {
    run();
  } catch (error) {
    if (error instanceof CourierError) return error;
    throw error;
  }
  throw new Error('expected a CourierError');
}

/** Changes one letter of one data group on line `line` (1-based), group `group` (1-based). */
function typo(text: string, line: number, group: number): string {
  const lines = text.split('\n');
  const parts = (lines[line] ?? '').split(' ');
  const word = parts[group] ?? '';
  parts[group] = (word[0] === 'Q' ? 'R' : 'Q') + word.slice(1);
  lines[line] = parts.join(' ');
  return lines.join('\n');
}

describe('cipher groups', () => {
  it('a 100-character message in the compact form without text coding takes 79 data groups, 88 with checks (10 a line)', () => {
    expect(HUNDRED).toHaveLength(100);
    expect(compact).toHaveLength(248);
    const rendered = renderGroups(compact);
    expect(rendered.form).toBe('compact');
    expect([rendered.dataGroups, rendered.lines, rendered.totalGroups]).toEqual([79, 8, 88]);
    expect(renderGroups(compact, { groupsPerLine: 20 }).totalGroups).toBe(84);
    expect(renderGroups(compact, { alphabet: 'base32', groupsPerLine: 20 }).totalGroups).toBe(79);
    expect(rendered.text).toMatch(/^NR \d+ GR 79 CK [A-Z]{5}\n01 ([A-Z]{5} ){10} [A-Z]{5}\n/);
  });

  it('round-trips letters and base32, compact and full, any case and spacing', () => {
    for (const alphabet of ['letters', 'base32'] as const) {
      for (const form of ['compact', 'full'] as const) {
        const { text } = renderGroups(compact, { alphabet, form, number: 42 });
        const typed = text.toLowerCase().replace(/ /g, '   ').replace(/\n/g, '\n\n  ');
        const read = readGroups(typed, { routingTag: tag });
        expect(Buffer.from(read.envelope).equals(Buffer.from(compact))).toBe(true);
        expect(read).toMatchObject({ number: 42, alphabet, form });
      }
    }
  });

  it('accepts lines in any order, a line broken in two, groups run together, and several transmissions', () => {
    const { text } = renderGroups(compact, { number: 7 });
    const [header, ...lines] = text.trim().split('\n');
    const shuffled = [lines[5], lines[0], lines[7], header, lines[3], lines[1], lines[6], lines[2], lines[4]].join('\n');
    expect(Buffer.from(readGroups(shuffled, { routingTag: tag }).envelope).equals(Buffer.from(compact))).toBe(true);
    const broken = text.replace(/^(03(?: \S+){4}) /m, '$1\n').replace(/^(04 \S+) (\S+)/m, '$1$2');
    expect(Buffer.from(readGroups(broken, { routingTag: tag }).envelope).equals(Buffer.from(compact))).toBe(true);
    // First transmission: header and lines 1–4 (line 2 garbled); second: lines 2 and 5–8.
    const first = [header, lines[0], typo(`x\n${lines[1]}`, 1, 3).split('\n')[1], lines[2], lines[3]].join('\n');
    const second = [lines[1], lines[4], lines[5], lines[6], lines[7]].join('\n');
    const error = failure(() => readGroups(first, { routingTag: tag }));
    expect(error.code).toBe('GROUPS_INCOMPLETE');
    expect(error.problems.map((problem) => [problem.line, problem.kind])).toEqual([[2, 'wrong'], [5, 'missing'], [6, 'missing'], [7, 'missing'], [8, 'missing']]);
    expect(error.message).toContain('missing lines 5, 6, 7, 8');
    expect(Buffer.from(readGroups(`${first}\n${second}`, { routingTag: tag }).envelope).equals(Buffer.from(compact))).toBe(true);
  });

  it('locates every injected typo to its line and, for one letter, to its group', () => {
    // Fixed keys and envelope: the hint needs exactly one single-letter fix, which fails for about one typo in 10,000
    // by chance; with fixed bytes the outcome is the same on every run.
    let state = 7;
    const fixed = (length: number): Uint8Array => Uint8Array.from({ length }, () => (state = (state * 1103515245 + 12345) % 2 ** 31) & 0xff);
    const sender = generateIdentity({ label: 'A', random: fixed, now: 0 });
    const receiver = generateIdentity({ label: 'B', random: fixed, now: 0 });
    const envelope = seal(HUNDRED, { from: sender, to: receiver.card, pad: false, sender: 'keyId', random: fixed, now: Date.UTC(2030, 0, 1) });
    const { text } = renderGroups(envelope, { number: 99 });
    const tag = receiver.card.routingTag;
    for (let line = 1; line <= 8; line++) {
      for (const group of [1, 5, 10]) {
        if (line === 8 && group === 10) continue;
        const error = failure(() => readGroups(typo(text, line, group), { routingTag: tag }));
        expect(error.code).toBe('GROUPS_INCOMPLETE');
        expect(error.problems).toHaveLength(1);
        expect(error.problems[0]).toMatchObject({ line, kind: 'wrong' });
        expect(error.problems[0]?.detail).toContain(`group ${group} `);
      }
    }
  });

  it('applies a unique single-letter correction only when asked, and reports it', () => {
    const { text } = renderGroups(compact, { number: 5 });
    const damaged = typo(text, 3, 4);
    expect(failure(() => readGroups(damaged, { routingTag: tag })).code).toBe('GROUPS_INCOMPLETE');
    const read = readGroups(damaged, { routingTag: tag, correct: true });
    expect(Buffer.from(read.envelope).equals(Buffer.from(compact))).toBe(true);
    expect(read.corrections).toMatchObject([{ line: 3, group: 4 }]);
  });

  it('names malformed lines, a wrong check group, foreign lines and a missing or altered header', () => {
    const { text } = renderGroups(compact, { number: 12 });
    const dropped = text.replace(/^(05 \S+ )\S(\S{4})/m, '$1$2');
    expect(failure(() => readGroups(dropped, { routingTag: tag })).problems).toMatchObject([{ line: 5, kind: 'malformed' }]);
    const shortLine = text.replace(/^(06 \S+) \S+/m, '$1');
    expect(failure(() => readGroups(shortLine, { routingTag: tag })).problems[0]?.detail).toContain('line 6 has 10 groups; it should have 10 and its check group');
    const digits = text.replace(/^(02 )\S/m, '$19');
    expect(failure(() => readGroups(digits, { routingTag: tag })).problems[0]?.detail).toContain('outside the letters');
    const extra = `${text}09 ABCDE ABCDE\n`;
    expect(failure(() => readGroups(extra, { routingTag: tag })).problems).toMatchObject([{ line: 9, kind: 'malformed' }]);
    const noHeader = text.split('\n').slice(1).join('\n');
    expect(failure(() => readGroups(noHeader)).message).toContain('header line (NR … GR … CK …) is missing');
    const otherNumber = text.replace(/^NR 12/, 'NR 13');
    expect(failure(() => readGroups(otherNumber, { routingTag: tag })).problems.filter((problem) => problem.kind === 'wrong')).toHaveLength(8);
    const badWhole = text.replace(/CK (\S)/, (_, first: string) => `CK ${first === 'A' ? 'B' : 'A'}`);
    expect(failure(() => readGroups(badWhole, { routingTag: tag })).problems).toMatchObject([{ line: 0, kind: 'wrong' }]);
    expect(failure(() => readGroups(text.replace(/GR 79/, 'GR 79000'), { routingTag: tag })).code).toBe('BAD_GROUPS');
    const twoMessages = `${text}\n${renderGroups(compact, { number: 13 }).text}`;
    expect(failure(() => readGroups(twoMessages, { routingTag: tag })).code).toBe('BAD_GROUPS');
  });

  it('needs the recipient for the compact form, and takes several recipients in the full form', () => {
    expect(failure(() => readGroups(renderGroups(compact).text)).code).toBe('RECIPIENT_NEEDED');
    const group = seal('to two', { from: alice, to: [bob.card, carol.card] });
    const rendered = renderGroups(group);
    expect(rendered.form).toBe('full');
    expect(Buffer.from(readGroups(rendered.text).envelope).equals(Buffer.from(group))).toBe(true);
  });

  it('property: any envelope and options round-trip; any one changed symbol is caught and located', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.constantFrom('letters' as const, 'base32' as const),
        fc.integer({ min: 1, max: 25 }),
        fc.nat(),
        fc.nat(),
        (body, alphabet, groupsPerLine, pick, shift) => {
          const envelope = seal(body, { from: alice, to: bob.card, pad: false });
          const rendered = renderGroups(envelope, { alphabet, groupsPerLine });
          expect(Buffer.from(readGroups(rendered.text, { routingTag: tag }).envelope).equals(Buffer.from(envelope))).toBe(true);
          // Change one symbol of one data or check group.
          const lines = rendered.text.trim().split('\n');
          const lineIndex = 1 + (pick % (lines.length - 1));
          const line = lines[lineIndex] ?? '';
          const positions = [...line.matchAll(/[A-Z0-9]/g)].map((match) => match.index ?? 0).filter((index) => index > line.indexOf(' '));
          const position = positions[shift % positions.length] ?? 0;
          const symbols = alphabet === 'letters' ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' : '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
          const replacement = symbols[(symbols.indexOf(line[position] ?? 'A') + 1 + (shift % (symbols.length - 1))) % symbols.length] ?? 'A';
          lines[lineIndex] = line.slice(0, position) + replacement + line.slice(position + 1);
          const error = failure(() => readGroups(lines.join('\n'), { routingTag: tag }));
          expect(error.problems.map((problem) => problem.line)).toEqual([lineIndex]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('groups options, checked from GroupsOptionsSchema', () => {
  it('names the option, what was expected and what was given', () => {
    const envelope = compact;
    expect(() => renderGroups(envelope, { groupsPerLine: 26 })).toThrow('groups: groupsPerLine: expected a whole number from 1 to 25, got 26');
    expect(() => renderGroups(envelope, { alphabet: 'morse' } as never)).toThrow('groups: alphabet: expected "letters" or "base32", got "morse"');
    expect(() => renderGroups(envelope, { perLine: 5 } as never)).toThrow('groups: unknown option "perLine" (known: alphabet, number, groupsPerLine, form)');
  });
});
