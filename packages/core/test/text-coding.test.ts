import { describe, expect, it } from 'vitest';
import { MAX_CODED_TEXT_CHARS, EnvelopeError, generateIdentity, open, seal, type Identity } from '@herald/core';
import { ASCII_TABLE, MORSE_LOWER_TABLE, MORSE_TABLE, codeText, codeWithTable, decodeText } from '../src/envelope/text-coding.js';
import { expectCode } from './helpers.js';

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

async function rejectionCode(envelope: Uint8Array, identity: Identity): Promise<string> {
  try {
    await open(envelope, { identity, contacts: [alice.card] });
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError);
    return (error as EnvelopeError).code;
  }
  return 'ACCEPTED';
}

const RADIO = 'SITREP 0415Z: ROAD BLOCKED AT KM 42, BRIDGE OUT. 2 TRUCKS TURNED BACK. REQUEST ENGINEERS (PRIORITY).';

describe('compact text coding (protocol.md 7.5.6)', () => {
  it('round-trips through seal and open, choosing the shortest table or none', async () => {
    const samples: [string, number | undefined][] = [
      [RADIO, MORSE_TABLE.id],
      ['  LEADING SPACES AND\nA LINE FEED  ', MORSE_TABLE.id],
      ['Mixed case: convoy at rally point B, ETA 14:30 {ok} ~ #7', ASCII_TABLE.id],
      ['Convoy leaves north gate 06:00 tomorrow. Bring water, fuel for 300 km, radios on channel 4. Confirm.', MORSE_LOWER_TABLE.id],
      ['\nlower case only, and a Capital at the end: Z', MORSE_LOWER_TABLE.id],
      ['Convoy delayed — ETA 14:30 ✓', undefined], // not ASCII: sealed as UTF-8
      ['A', undefined], // one character codes to 2 bytes: no shorter
      ['', undefined],
    ];
    for (const [message, table] of samples) {
      const coded = seal(message, { from: alice, to: bob.card, pad: false, sender: 'keyId', compactText: true, now: 1_800_000_000_000 });
      const plain = seal(message, { from: alice, to: bob.card, pad: false, sender: 'keyId', now: 1_800_000_000_000 });
      const opened = await open(coded, { identity: bob, contacts: [alice.card], now: 1_800_000_000_000 });
      expect(text(opened.plaintext)).toBe(message);
      expect(opened.contentType).toBe('text/plain; charset=utf-8');
      const codedBody = codeText(ascii(message));
      expect(codedBody?.[0]).toBe(table);
      // The envelope is exactly the coded body's saving smaller, or the same when nothing was coded.
      expect(plain.length - coded.length).toBe(codedBody ? ascii(message).length - codedBody.length : 0);
    }
  });

  it('codes a 100-character radio message in 1 + about 100·log2(51) / 8 bytes (72 or 73, not 100)', () => {
    expect(RADIO).toHaveLength(100);
    const coded = codeWithTable(ascii(RADIO), MORSE_TABLE)!;
    // N lies in [51^100, 2·51^100): its bit length is within one bit of 100·log2 51.
    expect(coded.length).toBeGreaterThanOrEqual(1 + Math.ceil((100 * Math.log2(51)) / 8));
    expect(coded.length).toBeLessThanOrEqual(1 + Math.ceil((100 * Math.log2(51) + 1) / 8));
    expect(text(decodeText(coded))).toBe(RADIO);
  });

  it('gives the coded bodies of the test vectors in protocol.md 7.5.6', () => {
    expect(Buffer.from(codeText(ascii('SOS AT KM 42'))!).toString('hex')).toBe('01172332d729b9d26db5');
    expect(Buffer.from(codeText(ascii('Hold at grid 4, ~30 min'))!).toString('hex')).toBe('02f9f03c1182afe090deb24fa76b4f0fe30aefae');
    expect(Buffer.from(codeText(ascii('Meet at Bridge 2'))!).toString('hex')).toBe('03c1acfe444f436633bec41831ad');
    expect(text(decodeText(Buffer.from('01172332d729b9d26db5', 'hex')))).toBe('SOS AT KM 42');
    expect(text(decodeText(Buffer.from('03c1acfe444f436633bec41831ad', 'hex')))).toBe('Meet at Bridge 2');
  });

  it('leaves bodies of other content types, and padded envelopes, readable', async () => {
    const json = seal('{"A":1}', { from: alice, to: bob.card, pad: false, compactText: true, contentType: 'application/json' });
    expect(json.length).toBe(seal('{"A":1}', { from: alice, to: bob.card, pad: false, contentType: 'application/json' }).length);
    const padded = await open(seal(RADIO, { from: alice, to: bob.card, compactText: true }), { identity: bob });
    expect(text(padded.plaintext)).toBe(RADIO);
    expect(padded.padded).toBe(true);
  });

  it('codes up to MAX_CODED_TEXT_CHARS characters and no more', async () => {
    const longest = 'HERALD '.repeat(MAX_CODED_TEXT_CHARS).slice(0, MAX_CODED_TEXT_CHARS);
    expect(text(decodeText(codeWithTable(ascii(longest), MORSE_TABLE)!))).toBe(longest);
    expect(codeText(ascii(`${longest}X`))).toBeUndefined();
    const opened = await open(seal(longest, { from: alice, to: bob.card, compactText: true }), { identity: bob });
    expect(text(opened.plaintext)).toBe(longest);
  });

  it('refuses every non-canonical or unknown coding with MALFORMED', async () => {
    const good = codeWithTable(ascii('HELLO'), MORSE_TABLE)!;
    const bad: Uint8Array[] = [
      Uint8Array.of(4, ...good.subarray(1)), // unknown table
      Uint8Array.of(0, ...good.subarray(1)),
      Uint8Array.of(1), // no number
      Uint8Array.of(1, 0, ...good.subarray(1)), // leading zero byte
      Uint8Array.of(1, 2), // marker digit 2, not 1
      Uint8Array.of(1, 0xff, 0xff, 0xff), // 16777215 = 51^4·… with a marker above 1
      new Uint8Array(Math.ceil((MAX_CODED_TEXT_CHARS * Math.log2(51) + 1) / 8) + 2).fill(1), // longer than the bound
    ];
    for (const coded of bad) expect(() => decodeText(coded), Buffer.from(coded.subarray(0, 8)).toString('hex')).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    await expectCode(() => decodeText(Uint8Array.of(2, 0xc0)), 'MALFORMED'); // 192 = 2·96: marker 2
    // Table 3: SHIFT (index 51) must stand before a letter (indexes 1–26).
    await expectCode(() => decodeText(Uint8Array.of(3, 0x67)), 'MALFORMED'); // 103 = 1·52 + 51: SHIFT at the end
    // N = 52² + 51·52 + d = 5356 + d: SHIFT, then symbol d.
    expect(text(decodeText(Uint8Array.of(3, 0x15, 0x00)))).toBe('T'); // d = 20, 't'
    await expectCode(() => decodeText(Uint8Array.of(3, 0x15, 0x07)), 'MALFORMED'); // d = 27, the digit 0
    await expectCode(() => decodeText(Uint8Array.of(3, 0x14, 0xec)), 'MALFORMED'); // d = 0, a space
  });

  it('refuses every single-bit flip of a coded, compact envelope', async () => {
    const envelope = seal(RADIO, { from: alice, to: bob.card, pad: false, sender: 'keyId', compactText: true });
    expect(await rejectionCode(envelope, bob)).toBe('ACCEPTED');
    for (let bit = 0; bit < envelope.length * 8; bit++) {
      const flipped = envelope.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(await rejectionCode(flipped, bob), `bit ${bit}`).not.toBe('ACCEPTED');
    }
  });

  it('validates the option', () => {
    expect(() => seal('X', { from: alice, to: bob.card, compactText: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});
