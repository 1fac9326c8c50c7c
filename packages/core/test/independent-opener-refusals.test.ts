/**
 * The independent v1 opener (see independent-opener.test.ts) refuses what the
 * library refuses, with the same error code, step for step through §9.
 */
import { describe, expect, it } from 'vitest';
import { open, seal } from '@herald/core';
import { ascii, cat } from './independent-bytes.js';
import { codeWithTableDoc, independentOpen, independentSeal, type IndependentSealInput } from './independent-v1.js';
import { contactsOf, independent, independentCode, library, libraryCode, NOW, seedBytes } from './independent-opener-fixtures.js';

describe('independent implementation from docs/protocol.md', () => {
  it('refuses with the same error code as the library, step for step (§9)', async () => {
    const bravo = independent.Bravo!;
    const base = (over: Partial<IndependentSealInput> = {}): Uint8Array =>
      independentSeal({
        from: independent.Alpha!,
        to: [bravo],
        body: ascii('status report'),
        precedence: 1,
        ttl: 600,
        contentType: 'text/plain; charset=utf-8',
        pad: true,
        compactSender: false,
        nowMs: NOW,
        ephemeralSecret: seedBytes('refusals'),
        ...over,
      });
    const good = base();
    const multi = independentSeal({ ...{ from: independent.Alpha!, to: [bravo, independent.Charlie!], body: ascii('x'), precedence: 0, ttl: 600, contentType: 'application/json', pad: false, compactSender: false, nowMs: NOW, ephemeralSecret: seedBytes('multi'), contentKey: seedBytes('multi key') } });
    const twice = independentSeal({ from: independent.Alpha!, to: [bravo, independent.Charlie!, bravo], body: ascii('x'), precedence: 0, ttl: 600, contentType: 'application/json', pad: false, compactSender: false, nowMs: NOW, ephemeralSecret: seedBytes('twice'), contentKey: seedBytes('twice key') });
    const flip = (bytes: Uint8Array, at: number): Uint8Array => {
      const copy = bytes.slice();
      copy[at] = copy[at]! ^ 1;
      return copy;
    };
    const withVersion = (bytes: Uint8Array, version: number): Uint8Array => cat(Uint8Array.of(version), bytes.subarray(1));

    interface Scenario {
      name: string;
      bytes: Uint8Array;
      code: string;
      now?: number;
      contacts?: string[];
      requireKnownSender?: boolean;
      maxEnvelopeBytes?: number;
      as?: string;
    }
    const scenarios: Scenario[] = [
      { name: 'accepted', bytes: good, code: 'OK' },
      { name: 'too large', bytes: good, code: 'TOO_LARGE', maxEnvelopeBytes: good.length - 1 },
      { name: 'empty', bytes: new Uint8Array(0), code: 'MALFORMED' },
      { name: 'version 3', bytes: withVersion(good, 3), code: 'UNSUPPORTED_VERSION' },
      { name: 'armored text', bytes: ascii('-----BEGIN HERALD ENVELOPE-----'), code: 'UNSUPPORTED_VERSION' },
      { name: 'shorter than fixed header', bytes: good.subarray(0, 37), code: 'MALFORMED' },
      { name: 'zero recipients', bytes: cat(good.subarray(0, 37), Uint8Array.of(0), good.subarray(38)), code: 'MALFORMED' },
      { name: 'too short for its recipients', bytes: good.subarray(0, 54 + 16 + 77), code: 'MALFORMED' },
      { name: 'expired beyond skew', bytes: good, code: 'EXPIRED', now: NOW + (600 + 301) * 1000 },
      { name: 'expired within skew', bytes: good, code: 'OK', now: NOW + (600 + 300) * 1000 },
      { name: 'not for me', bytes: good, code: 'NOT_FOR_ME', as: 'Charlie' },
      { name: 'ciphertext altered', bytes: flip(good, good.length - 20), code: 'DECRYPT_FAILED' },
      { name: 'expiry altered (header is AD)', bytes: flip(good, 4), code: 'DECRYPT_FAILED' },
      { name: 'wrapped key altered', bytes: flip(multi, 38 + 20), code: 'DECRYPT_FAILED' },
      { name: 'multi-recipient accepted', bytes: multi, code: 'OK' },
      { name: 'routing tag listed twice', bytes: twice, code: 'MALFORMED' },
      { name: 'routing tag listed twice, read by the other recipient', bytes: twice, code: 'MALFORMED', as: 'Charlie' },
      { name: 'reserved meta bit', bytes: base({ metaOverride: 0x20 | 0x04 }), code: 'MALFORMED' },
      { name: 'coded text accepted', bytes: base({ compactText: true, body: ascii('STATUS REPORT') }), code: 'OK' },
      { name: 'coded text, unknown table', bytes: base({ metaOverride: 0x10 | 0x05, body: Uint8Array.of(4, 1, 2, 3) }), code: 'MALFORMED' },
      { name: 'coded text, table 3 accepted', bytes: base({ compactText: true, body: ascii('Status report from Bravo') }), code: 'OK' },
      { name: 'coded text, SHIFT before a digit', bytes: base({ metaOverride: 0x10 | 0x05, body: Uint8Array.of(3, 0x15, 0x07) }), code: 'MALFORMED' },
      { name: 'coded text, SHIFT at the end', bytes: base({ metaOverride: 0x10 | 0x05, body: Uint8Array.of(3, 0x67) }), code: 'MALFORMED' },
      { name: 'coded text, leading zero byte', bytes: base({ metaOverride: 0x10 | 0x05, body: Uint8Array.of(1, 0, ...codeWithTableDoc(ascii('HI'), 1)!.subarray(1)) }), code: 'MALFORMED' },
      { name: 'coded text, marker not 1', bytes: base({ metaOverride: 0x10 | 0x05, body: Uint8Array.of(1, 0x66) }), code: 'MALFORMED' },
      { name: 'coded text, empty', bytes: base({ metaOverride: 0x10 | 0x05, body: Uint8Array.of(1) }), code: 'MALFORMED' },
      { name: 'coded text with a JSON type', bytes: base({ metaOverride: 0x10 | 0x05, contentType: 'application/json', body: codeWithTableDoc(ascii('HI'), 1)! }), code: 'MALFORMED' },
      { name: 'unassigned content-type code', bytes: base({ contentTypeBytesOverride: Uint8Array.of(0x04) }), code: 'MALFORMED' },
      { name: 'registered type in custom form', bytes: base({ contentTypeBytesOverride: cat(Uint8Array.of(0xff, 16), ascii('application/json')) }), code: 'MALFORMED' },
      { name: 'empty custom type', bytes: base({ contentTypeBytesOverride: Uint8Array.of(0xff, 0) }), code: 'MALFORMED' },
      { name: 'custom type not UTF-8', bytes: base({ contentTypeBytesOverride: Uint8Array.of(0xff, 2, 0xc3, 0x28) }), code: 'MALFORMED' },
      { name: 'compact sender unknown', bytes: base({ compactSender: true }), code: 'UNKNOWN_SENDER', contacts: ['Charlie'] },
      { name: 'compact sender known', bytes: base({ compactSender: true }), code: 'OK', contacts: ['Alpha'] },
      { name: 'require known sender', bytes: good, code: 'UNKNOWN_SENDER', contacts: ['Charlie'], requireKnownSender: true },
      { name: 'padding without marker', bytes: base({ pad: true, paddingOverride: new Uint8Array(40) }), code: 'MALFORMED' },
      { name: 'padding with junk after marker', bytes: base({ pad: true, paddingOverride: Uint8Array.of(0x80, 0, 1) }), code: 'MALFORMED' },
      { name: 'non-bucket padding is accepted', bytes: base({ pad: true, paddingOverride: Uint8Array.of(0x80, 0, 0) }), code: 'OK' },
      { name: 'unpadded body ending in 0x80 00', bytes: base({ pad: false, body: Uint8Array.of(1, 0x80, 0), contentType: 'application/octet-stream' }), code: 'OK' },
      { name: 'text/plain; charset=utf-8 body ending in 0x80 00 (not UTF-8)', bytes: base({ pad: false, body: Uint8Array.of(1, 0x80, 0) }), code: 'MALFORMED' },
      { name: 'text/plain; charset=utf-8 body with an overlong slash (c0 af)', bytes: base({ body: Uint8Array.of(0xc0, 0xaf) }), code: 'MALFORMED' },
      { name: 'the same bytes under the custom type text/plain; charset=UTF-8', bytes: base({ body: Uint8Array.of(0xc0, 0xaf), contentType: 'text/plain; charset=UTF-8' }), code: 'OK' },
      { name: 'signature by another key', bytes: base({ from: { ...independent.Alpha!, signingSecretKey: independent.Charlie!.signingSecretKey } }), code: 'BAD_SIGNATURE' },
      { name: 'created after expiry', bytes: base({ createdOverride: Math.floor(NOW / 1000) + 601 }), code: 'MALFORMED', now: NOW + 700_000 },
      { name: 'created in the future', bytes: base({ nowMs: NOW + 400_000 }), code: 'NOT_YET_VALID' },
      { name: 'created at the edge of skew', bytes: base({ nowMs: NOW + 300_000 }), code: 'OK' },
    ];

    for (const scenario of scenarios) {
      const as = scenario.as ?? 'Bravo';
      const now = scenario.now ?? NOW;
      const contactNames = scenario.contacts ?? ['Alpha'];
      const expected = await libraryCode(scenario.bytes, {
        identity: library[as]!,
        contacts: contactNames.map((name) => library[name]!.card),
        now,
        ...(scenario.requireKnownSender ? { requireKnownSender: true } : {}),
        ...(scenario.maxEnvelopeBytes ? { maxEnvelopeBytes: scenario.maxEnvelopeBytes } : {}),
      });
      const actual = independentCode(scenario.bytes, {
        me: independent[as]!,
        contacts: contactsOf(...contactNames),
        nowMs: now,
        ...(scenario.requireKnownSender ? { requireKnownSender: true } : {}),
        ...(scenario.maxEnvelopeBytes ? { maxEnvelopeBytes: scenario.maxEnvelopeBytes } : {}),
      });
      expect({ scenario: scenario.name, library: expected, independent: actual }).toEqual({ scenario: scenario.name, library: scenario.code, independent: scenario.code });
    }
  });

  it('refuses a replay within validity, like the library (§9 step 21)', async () => {
    const bytes = seal('once only', { from: library.Alpha!, to: library.Bravo!.card, now: NOW });
    const seen = new Map<string, number>();
    expect(independentOpen(bytes, { me: independent.Bravo!, nowMs: NOW, seen }).id).toHaveLength(32);
    expect(independentCode(bytes, { me: independent.Bravo!, nowMs: NOW + 1000, seen })).toBe('REPLAY');
    // A minimal SeenSet (the interface open() takes): true when newly recorded.
    const ids = new Set<string>();
    const librarySeen = { add: (id: string) => !ids.has(id) && Boolean(ids.add(id)) };
    await open(bytes, { identity: library.Bravo!, now: NOW, seen: librarySeen });
    expect(await libraryCode(bytes, { identity: library.Bravo!, now: NOW + 1000, seen: librarySeen })).toBe('REPLAY');
  });
});
