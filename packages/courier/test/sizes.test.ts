import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateIdentity, seal } from '@herald/core';
import { readGroups, renderGroups } from '../src/index.js';

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
/** A radio message: what an operator keys in Morse or reads over voice (upper case, figures, punctuation). */
const RADIO = 'SITREP 0415Z: ROAD BLOCKED AT KM 42, BRIDGE OUT. 2 TRUCKS TURNED BACK. REQUEST ENGINEERS (PRIORITY).';
/** The same length in sentence case: coded with the lower-case table and a SHIFT before each capital. */
const MIXED = 'Convoy leaves north gate 06:00 tomorrow. Bring water, fuel for 300 km, radios on channel 4. Confirm.';
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const projectReadme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

function measure(message: string, compactText: boolean) {
  const envelope = seal(message, { from: alice, to: bob.card, pad: false, sender: 'keyId', compactText });
  const rendered = renderGroups(envelope);
  // What is measured must also read back: the count is of groups that work.
  expect(Buffer.from(readGroups(rendered.text, { routingTag: bob.card.routingTag }).envelope).equals(Buffer.from(envelope))).toBe(true);
  return { bytes: envelope.length, ...rendered };
}

describe('the group counts the README states, measured', () => {
  it('a 100-character radio message sealed compact takes at most 80 groups, checks and header included', () => {
    expect(RADIO).toHaveLength(100);
    const radio = measure(RADIO, true);
    expect(radio.form).toBe('compact');
    expect(radio.totalGroups).toBe(radio.dataGroups + radio.lines + 1);
    expect(radio.totalGroups).toBeLessThanOrEqual(80);
    expect(readme).toContain(`a 100-character radio message is a ${radio.bytes}-byte envelope: ${radio.dataGroups} data groups in ${radio.lines} lines, **${radio.totalGroups} groups** in all`);
    expect(projectReadme).toContain(`**Groups for a 100-character message: ${radio.totalGroups}.**`);
    expect(projectReadme).toContain(`is a ${radio.bytes}-byte envelope and ${radio.dataGroups} data groups of letters A–Z, written 10 to a line: with ${radio.lines} line check groups and the header's check that is **${radio.totalGroups} groups** to transmit`);
    const envelope = seal(RADIO, { from: alice, to: bob.card, pad: false, sender: 'keyId', compactText: true });
    expect(projectReadme).toContain(`With 20 groups a line (\`--line 20\`) the radio message is ${renderGroups(envelope, { groupsPerLine: 20 }).totalGroups}; in Crockford base32 (\`--alphabet base32\`, for keyboards rather than voice) ${renderGroups(envelope, { alphabet: 'base32' }).totalGroups}.`);
    expect(projectReadme).toContain(`The node's default envelope (padded, sender key inside, ${seal(RADIO, { from: alice, to: bob.card }).length} bytes) takes ${renderGroups(seal(RADIO, { from: alice, to: bob.card })).totalGroups} groups.`);
  });

  it('sentence case also stays within 80 groups; the README states that count and the uncoded one', () => {
    expect(MIXED).toHaveLength(100);
    const mixed = measure(MIXED, true);
    const uncoded = measure(RADIO, false);
    expect(mixed.bytes).toBeLessThan(uncoded.bytes);
    expect(mixed.totalGroups).toBeLessThanOrEqual(80);
    expect(readme).toContain(`The same length in mixed case is ${mixed.totalGroups} groups (${mixed.bytes} bytes, lower-case table with a shift before each capital); without --compact-text, ${uncoded.totalGroups}.`);
    expect(projectReadme).toContain(`The same length in sentence case takes ${mixed.totalGroups} groups (lower-case coding with a shift before each capital), and without text coding ${uncoded.totalGroups}.`);
  });
});
