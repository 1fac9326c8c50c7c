/**
 * A second, independent implementation of the Herald v1 envelope, written from
 * docs/protocol.md alone with libsodium primitives. It imports nothing from
 * core's envelope, card or padding code. From '@herald/core' it takes only
 * `generateIdentity` and `seal` to produce inputs, and `open` to compare against.
 *
 * If a test here fails while the library's own tests pass, the library and the
 * document disagree. Fix the document if it is ambiguous or wrong, or report the
 * library if the document states the intent.
 *
 * The implementation itself is in independent-v1.ts; this file holds the cases.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import sodium from 'libsodium-wrappers-sumo';
import { ascii, cat, hex, RefusedError, unhex } from './independent-bytes.js';
import { dearmorDoc } from './independent-text.js';
import { describe, expect, it } from 'vitest';
import { generateIdentity, open, seal, type Identity } from '@herald/core';
import { D, fingerprintOf, independentIdentity, decodeCardText, PRECEDENCE_BY_CODE, headerLength, encodeContentType, bucket, SHIFT, codeWithTableDoc, codeTextDoc, independentSeal, independentOpen, type IndependentIdentity, type IndependentSealInput, type Contact, type IndependentOpenOptions } from './independent-v1.js';

// ---------------------------------------------------------------------------
// Test fixtures
// ---------------------------------------------------------------------------

/** Deterministic test bytes (inputs only, never key material in production). */
function seedBytes(label: string, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  for (let block = 0; block * 64 < length; block++) {
    const digest = createHash('sha512').update(`independent opener: ${label} #${block}`).digest();
    out.set(digest.subarray(0, Math.min(64, length - block * 64)), block * 64);
  }
  return out;
}

function scripted(...chunks: Uint8Array[]): (length: number) => Uint8Array {
  const queue = chunks.map((chunk) => chunk.slice());
  return (length) => {
    const next = queue.shift();
    if (!next || next.length !== length) throw new Error(`scripted random: asked for ${length}`);
    return next;
  };
}

const NOW = 1_800_000_000_000;
const labels = ['Alpha', 'Bravo', 'Charlie', 'Delta'];
const library: Record<string, Identity> = {};
const independent: Record<string, IndependentIdentity> = {};
for (const [index, label] of labels.entries()) {
  const signingSeed = seedBytes(`${label} signing`);
  const agreementSecret = seedBytes(`${label} agreement`);
  library[label] = generateIdentity({ label, now: NOW + index * 1000, random: scripted(cat(signingSeed, agreementSecret)) });
  independent[label] = independentIdentity(signingSeed, agreementSecret, label, Math.floor(NOW / 1000) + index);
}
const contactsOf = (...names: string[]): Contact[] => names.map((name) => ({ signingPublicKey: independent[name]!.signingPublicKey }));

type Precedence = (typeof PRECEDENCE_BY_CODE)[number];
interface Case {
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

const cases: Case[] = [];
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

function sealBoth(testCase: Case, index: number): { libraryBytes: Uint8Array; independentBytes: Uint8Array } {
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

async function libraryCode(bytes: Uint8Array, options: Parameters<typeof open>[1]): Promise<string> {
  try {
    await open(bytes, options);
    return 'OK';
  } catch (error) {
    return String((error as { code?: string }).code);
  }
}
function independentCode(bytes: Uint8Array, options: IndependentOpenOptions): string {
  try {
    independentOpen(bytes, options);
    return 'OK';
  } catch (error) {
    if (error instanceof RefusedError) return error.code;
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

describe('independent implementation from docs/protocol.md', () => {
  it('derives the same keys, card bytes, fingerprint, key id and routing tag (§3–§5)', () => {
    for (const label of labels) {
      const card = library[label]!.card;
      const mine = independent[label]!;
      expect(hex(mine.signingPublicKey)).toBe(hex(card.signingPublicKey));
      expect(hex(mine.agreementPublicKey)).toBe(hex(card.agreementPublicKey));
      expect(hex(mine.cardBytes)).toBe(hex(card.bytes));
      expect(fingerprintOf(mine.signingPublicKey)).toBe(card.fingerprint);
      expect(hex(mine.keyId)).toBe(hex(card.keyId));
      expect(hex(mine.routingTag)).toBe(hex(card.routingTag));
      const decoded = decodeCardText(`herald-card:${Buffer.from(mine.cardBytes).toString('base64url')}`);
      expect(decoded.label).toBe(label);
      expect(hex(decoded.agreementPublicKey)).toBe(hex(card.agreementPublicKey));
    }
  });

  it.each(cases.map((testCase, index) => [testCase.name, testCase, index] as const))('seals byte-identically and opens like the library: %s', async (_name, testCase, index) => {
    const { libraryBytes, independentBytes } = sealBoth(testCase, index);
    expect(hex(independentBytes)).toBe(hex(libraryBytes));

    for (const recipient of testCase.to) {
      const contacts = [library[testCase.from]!.card];
      const expected = await open(libraryBytes, { identity: library[recipient]!, contacts, now: NOW + 10_000 });
      const mine = independentOpen(libraryBytes, { me: independent[recipient]!, contacts: contactsOf(testCase.from), nowMs: NOW + 10_000 });
      expect(hex(mine.plaintext)).toBe(hex(expected.plaintext));
      expect(mine.id).toBe(expected.id);
      expect(hex(mine.senderSigningKey)).toBe(hex(expected.sender.signingPublicKey));
      expect(fingerprintOf(mine.senderSigningKey)).toBe(expected.sender.fingerprint);
      expect(mine.precedence).toBe(expected.precedence);
      expect(mine.precedence).toBe(testCase.precedence);
      expect(mine.contentType).toBe(expected.contentType);
      expect(mine.padded).toBe(expected.padded);
      expect(mine.created * 1000).toBe(expected.created.getTime());
      expect(mine.expires * 1000).toBe(expected.expires.getTime());

      // Envelope size: H(n) + (bucket or unpadded inner) + 16 (§7.6, §7.8).
      const plain = typeof testCase.body === 'string' ? ascii(testCase.body) : testCase.body;
      expect(hex(mine.plaintext)).toBe(hex(plain));
      const body = (testCase.compactText && mine.contentType === 'text/plain; charset=utf-8' ? codeTextDoc(plain) : undefined) ?? plain;
      expect(hex(mine.body)).toBe(hex(body));
      const unpadded = 1 + encodeContentType(mine.contentType).length + (testCase.sender === 'keyId' ? 8 : 32) + 4 + 64 + body.length;
      expect(libraryBytes.length).toBe(headerLength(testCase.to.length) + (testCase.pad ? bucket(unpadded) : unpadded) + 16);
    }
  });

  it('verifies the signature over exactly the documented byte string (§7.7)', () => {
    for (const [index, testCase] of cases.entries()) {
      const { libraryBytes } = sealBoth(testCase, index);
      const opened = independentOpen(libraryBytes, { me: independent[testCase.to[0]!]!, contacts: contactsOf(testCase.from), nowMs: NOW + 10_000 });
      const n = testCase.to.length;
      const header = libraryBytes.subarray(0, headerLength(n));
      const domainLength = D.envelopeSignature.length;
      // The documented string, laid out field by field.
      expect(hex(opened.signed.subarray(0, domainLength))).toBe(hex(D.envelopeSignature));
      expect(hex(opened.signed.subarray(domainLength, domainLength + header.length))).toBe(hex(header));
      const afterHeader = domainLength + header.length;
      const typeLength = encodeContentType(opened.contentType).length;
      const senderAt = afterHeader + 1 + typeLength;
      expect(hex(opened.signed.subarray(senderAt, senderAt + 32))).toBe(hex(independent[testCase.from]!.signingPublicKey));
      const bodyAt = senderAt + 32 + 4;
      expect(hex(opened.signed.subarray(bodyAt))).toBe(hex(opened.body));
      expect(sodium.crypto_sign_verify_detached(opened.signature, opened.signed, opened.senderSigningKey)).toBe(true);

      // Any other reading of the document must fail to verify.
      const key = opened.senderSigningKey;
      const withoutDomain = opened.signed.subarray(domainLength);
      const withKeyIdInstead = cat(opened.signed.subarray(0, senderAt), independent[testCase.from]!.keyId, opened.signed.subarray(senderAt + 32));
      const withoutEntries = cat(opened.signed.subarray(0, domainLength + 38), opened.signed.subarray(afterHeader));
      const withPadding = cat(opened.signed, Uint8Array.of(0x80));
      for (const variant of [withoutDomain, withKeyIdInstead, withoutEntries, withPadding]) {
        expect(sodium.crypto_sign_verify_detached(opened.signature, variant, key)).toBe(false);
      }
    }
  });

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

  const vectorFolder = new URL('./vectors/', import.meta.url);
  const haveVectors = existsSync(new URL('identities.json', vectorFolder)) && existsSync(new URL('envelopes.json', vectorFolder));
  it.skipIf(!haveVectors)('rebuilds and opens the fixed-seed vectors in test/vectors (§14)', () => {
    interface IdentityVector {
      label: string;
      signingSeed: string;
      agreementSecretKey: string;
      created: number;
      signingPublicKey: string;
      agreementPublicKey: string;
      cardText: string;
      fingerprint: string;
      keyId: string;
      routingTag: string;
    }
    interface EnvelopeVector {
      name: string;
      from: string;
      to: string[];
      plaintext: string;
      options: { precedence?: Precedence; ttl?: number; pad?: boolean; contentType?: string; sender?: 'key' | 'keyId'; compactText?: boolean };
      now: number;
      random: { ephemeralSecret: string; contentKey?: string };
      envelope: string;
      size: number;
      id: string;
      expires: number;
    }
    const identities = JSON.parse(readFileSync(new URL('identities.json', vectorFolder), 'utf8')) as IdentityVector[];
    const envelopes = JSON.parse(readFileSync(new URL('envelopes.json', vectorFolder), 'utf8')) as EnvelopeVector[];
    const people: Record<string, IndependentIdentity> = {};
    for (const vector of identities) {
      const person = independentIdentity(unhex(vector.signingSeed), unhex(vector.agreementSecretKey), vector.label, vector.created);
      people[vector.label] = person;
      expect(hex(person.signingPublicKey)).toBe(vector.signingPublicKey);
      expect(hex(person.agreementPublicKey)).toBe(vector.agreementPublicKey);
      expect(`herald-card:${Buffer.from(person.cardBytes).toString('base64url')}`).toBe(vector.cardText);
      expect(fingerprintOf(person.signingPublicKey)).toBe(vector.fingerprint);
      expect(hex(person.keyId)).toBe(vector.keyId);
      expect(hex(person.routingTag)).toBe(vector.routingTag);
    }
    for (const vector of envelopes) {
      const body = unhex(vector.plaintext);
      const contentType = vector.options.contentType ?? 'application/octet-stream';
      const rebuilt = independentSeal({
        from: people[vector.from]!,
        to: vector.to.map((label) => people[label]!),
        body,
        precedence: PRECEDENCE_BY_CODE.indexOf(vector.options.precedence ?? 'ROUTINE'),
        ttl: vector.options.ttl ?? 86400,
        contentType,
        pad: vector.options.pad ?? true,
        compactSender: vector.options.sender === 'keyId',
        nowMs: vector.now,
        ephemeralSecret: unhex(vector.random.ephemeralSecret),
        ...(vector.random.contentKey ? { contentKey: unhex(vector.random.contentKey) } : {}),
        ...(vector.options.compactText ? { compactText: true } : {}),
      });
      expect(hex(rebuilt), vector.name).toBe(vector.envelope);
      expect(rebuilt.length).toBe(vector.size);
      for (const label of vector.to) {
        const opened = independentOpen(unhex(vector.envelope), { me: people[label]!, contacts: [{ signingPublicKey: people[vector.from]!.signingPublicKey }], nowMs: vector.now });
        expect(hex(opened.plaintext)).toBe(vector.plaintext);
        expect(opened.id).toBe(vector.id);
        expect(opened.expires).toBe(vector.expires);
        expect(opened.precedence).toBe(vector.options.precedence ?? 'ROUTINE');
        expect(opened.contentType).toBe(contentType);
        expect(hex(opened.senderSigningKey)).toBe(hex(people[vector.from]!.signingPublicKey));
      }
    }

    // refusals.json: rebuilt from the seeds as §14 describes them, then refused by every recipient it lists.
    interface RefusalVector {
      name: string;
      from: string;
      to: string[];
      plaintext: string;
      ttl: number;
      now: number;
      random: { ephemeralSecret: string; contentKey: string };
      envelope: string;
      size: number;
      code: string;
    }
    const refusals = JSON.parse(readFileSync(new URL('refusals.json', vectorFolder), 'utf8')) as RefusalVector[];
    expect(refusals.length).toBeGreaterThan(0);
    for (const vector of refusals) {
      const rebuilt = independentSeal({
        from: people[vector.from]!,
        to: vector.to.map((label) => people[label]!),
        body: unhex(vector.plaintext),
        precedence: 0,
        ttl: vector.ttl,
        contentType: 'text/plain; charset=utf-8',
        pad: false,
        compactSender: false,
        nowMs: vector.now,
        ephemeralSecret: unhex(vector.random.ephemeralSecret),
        contentKey: unhex(vector.random.contentKey),
      });
      expect(hex(rebuilt), vector.name).toBe(vector.envelope);
      expect(rebuilt.length).toBe(vector.size);
      for (const label of vector.to) {
        const code = independentCode(unhex(vector.envelope), { me: people[label]!, contacts: [{ signingPublicKey: people[vector.from]!.signingPublicKey }], nowMs: vector.now });
        expect({ vector: vector.name, label, code }).toEqual({ vector: vector.name, label, code: vector.code });
      }
    }

    // cards.json (§4.1 step 8) and armor.json (§6.1, §11), read by the rules above.
    const cards = JSON.parse(readFileSync(new URL('cards.json', vectorFolder), 'utf8')) as { name: string; agreementPublicKey: string; cardText: string; code: string | null }[];
    expect(cards.length).toBe(16);
    for (const vector of cards) {
      let code: string | null = null;
      try {
        expect(hex(decodeCardText(vector.cardText).agreementPublicKey), vector.name).toBe(vector.agreementPublicKey);
      } catch (error) {
        if (!(error instanceof RefusedError)) throw error;
        code = error.code;
      }
      expect({ vector: vector.name, code }).toEqual({ vector: vector.name, code: vector.code });
    }
    const armor = JSON.parse(readFileSync(new URL('armor.json', vectorFolder), 'utf8')) as { name: string; text: string; envelope?: string; code?: string }[];
    expect(armor.length).toBeGreaterThan(0);
    for (const vector of armor) {
      const bytes = dearmorDoc(vector.text);
      expect({ vector: vector.name, result: bytes === undefined ? 'MALFORMED' : hex(bytes) }).toEqual({ vector: vector.name, result: vector.envelope ?? vector.code });
    }
  });
});
