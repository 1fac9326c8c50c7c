/**
 * The envelopes that both the library and the independent implementation seal
 * and open (independent-opener.test.ts): every combination of one or three
 * recipients, padding, sender form and content type, with body sizes around the
 * bucket edges, the compact text codings, and one large envelope.
 */
import { seal } from '@herald/core';
import { ascii } from './independent-bytes.js';
import { independentSeal, PRECEDENCE_BY_CODE } from './independent-v1.js';
import { independent, library, NOW, scripted, seedBytes, type Precedence } from './independent-opener-fixtures.js';

export interface Case {
  name: string;
  from: string;
  to: string[];
  body: Uint8Array | string;
  precedence: Precedence;
  pad: boolean;
  sender: 'key' | 'keyId';
  contentType?: string;
  ttl: number;
  compactText?: boolean;
}

export const cases: Case[] = [];
for (const to of [['Bravo'], ['Bravo', 'Charlie', 'Delta']]) {
  for (const pad of [false, true]) {
    for (const sender of ['key', 'keyId'] as const) {
      for (const contentType of [undefined, 'application/vnd.mission.sitrep+json']) {
        const index = cases.length;
        cases.push({
          name: `${to.length} recipient(s), ${pad ? 'padded' : 'unpadded'}, ${sender} sender, ${contentType ?? 'default'} type`,
          from: 'Alpha',
          to,
          // Body sizes straddle the bucket edges: 256 B, the power-of-two range, 16 KiB, Padmé.
          body: index % 5 === 4 ? `message ${index}: hold position` : seedBytes(`body ${index}`, [0, 1, 153, 154, 300, 10_000, 16_305, 20_000][index % 8]!),
          precedence: PRECEDENCE_BY_CODE[index % 4]!,
          pad,
          sender,
          ...(contentType === undefined ? {} : { contentType }),
          ttl: 3600 + index,
        });
      }
    }
  }
}
const RADIO = 'SITREP 0415Z: ROAD BLOCKED AT KM 42, BRIDGE OUT. 2 TRUCKS TURNED BACK. REQUEST ENGINEERS (PRIORITY).';
cases.push(
  { name: 'coded text, Morse table, compact, unpadded', from: 'Alpha', to: ['Bravo'], body: RADIO, precedence: 'IMMEDIATE', pad: false, sender: 'keyId', ttl: 3600, compactText: true },
  { name: 'coded text, ASCII table, padded, key sender', from: 'Alpha', to: ['Bravo'], body: 'Mixed case: hold at {grid 4}, ~30 min', precedence: 'ROUTINE', pad: true, sender: 'key', ttl: 3600, compactText: true },
  { name: 'coded text, lower-case Morse table with SHIFT', from: 'Alpha', to: ['Bravo'], body: 'Convoy leaves north gate 06:00 tomorrow. Bring water, fuel for 300 km, radios on channel 4. Confirm.', precedence: 'PRIORITY', pad: false, sender: 'keyId', ttl: 3600, compactText: true },
  { name: 'coded text, three recipients', from: 'Bravo', to: ['Alpha', 'Charlie', 'Delta'], body: 'ALL STATIONS: NET CLOSES 2200Z', precedence: 'FLASH', pad: false, sender: 'key', ttl: 3600, compactText: true },
  { name: 'compact text asked, not ASCII: sealed as UTF-8', from: 'Alpha', to: ['Bravo'], body: 'Convoy delayed — ETA 14:30 ✓', precedence: 'ROUTINE', pad: false, sender: 'keyId', ttl: 3600, compactText: true },
  { name: 'compact text asked, binary type: unchanged', from: 'Alpha', to: ['Bravo'], body: seedBytes('binary coded', 40), precedence: 'ROUTINE', pad: false, sender: 'keyId', ttl: 3600, compactText: true },
);
cases.push({ name: 'registered json type, 1 recipient, compact, padded, large', from: 'Delta', to: ['Alpha'], body: seedBytes('large', 70_000), precedence: 'FLASH', pad: true, sender: 'keyId', contentType: 'application/json', ttl: 400 * 86400 });

export function sealBoth(testCase: Case, index: number): { libraryBytes: Uint8Array; independentBytes: Uint8Array } {
  const ephemeralSecret = seedBytes(`ephemeral ${index}`);
  const contentKey = seedBytes(`content key ${index}`);
  const chunks = testCase.to.length > 1 ? [ephemeralSecret, contentKey] : [ephemeralSecret];
  const now = NOW + 5000 + index;
  const libraryBytes = seal(testCase.body, {
    from: library[testCase.from]!,
    to: testCase.to.map((name) => library[name]!.card),
    precedence: testCase.precedence,
    ttl: testCase.ttl,
    pad: testCase.pad,
    sender: testCase.sender,
    ...(testCase.contentType === undefined ? {} : { contentType: testCase.contentType }),
    ...(testCase.compactText ? { compactText: true } : {}),
    now,
    random: scripted(...chunks),
  });
  const body = typeof testCase.body === 'string' ? ascii(testCase.body) : testCase.body;
  const independentBytes = independentSeal({
    from: independent[testCase.from]!,
    to: testCase.to.map((name) => independent[name]!),
    body,
    precedence: PRECEDENCE_BY_CODE.indexOf(testCase.precedence),
    ttl: testCase.ttl,
    contentType: testCase.contentType ?? (typeof testCase.body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream'),
    pad: testCase.pad,
    compactSender: testCase.sender === 'keyId',
    nowMs: now,
    ephemeralSecret,
    contentKey,
    ...(testCase.compactText ? { compactText: true } : {}),
  });
  return { libraryBytes, independentBytes };
}
