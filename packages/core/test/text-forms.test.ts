import { describe, expect, it } from 'vitest';
import { cardToFile, cardToText, exportIdentity, generateIdentity, importIdentity, open, parseCard, seal } from '@herald/core';
import { fromBase64 } from '../src/bytes.js';
import { removeWhitespace, trimWhitespace } from '../src/whitespace.js';
import { expectCode } from './helpers.js';

// protocol.md section 1: exactly these 25 code points are whitespace in Herald's text forms.
const WHITESPACE = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, ...Array.from({ length: 11 }, (_, i) => 0x2000 + i), 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff];
const NOT_WHITESPACE = [0x00, 0x1c, 0x1f, 0x85, 0x180e, 0x200b, 0x2060, 0xfffe];

describe('whitespace in text forms (protocol.md section 1)', () => {
  it('is exactly the 25 listed code points', () => {
    expect(WHITESPACE).toHaveLength(25);
    for (const code of WHITESPACE) {
      const space = String.fromCodePoint(code);
      expect(trimWhitespace(`${space}a${space}b${space}`), code.toString(16)).toBe(`a${space}b`);
      expect(removeWhitespace(`a${space}b`), code.toString(16)).toBe('ab');
    }
    for (const code of NOT_WHITESPACE) {
      const other = String.fromCodePoint(code);
      expect(trimWhitespace(`${other}a${other}`), code.toString(16)).toBe(`${other}a${other}`);
      expect(removeWhitespace(`a${other}b`), code.toString(16)).toBe(`a${other}b`);
    }
  });

  it('a card file behind a byte-order mark, with CRLF and no-break spaces around its line, reads; U+0085 around it does not', async () => {
    const { card } = generateIdentity({ label: 'Whitespace' });
    expect(parseCard(`\ufeff${cardToFile(card).replace(/\n/g, '\r\n').replace('herald-card:', '\u00a0\therald-card:')}`).fingerprint).toBe(card.fingerprint);
    await expectCode(() => parseCard(`\u0085${cardToText(card)}`), 'BAD_CARD');
  });

  it('a secret key file behind a byte-order mark, its base64 lines split by any whitespace, imports', () => {
    const identity = generateIdentity({ label: 'Key' });
    const text = exportIdentity(identity);
    const imported = importIdentity(`\ufeff${text.replace(/\n(?!-)/g, '\u2028\u3000')}`);
    expect(imported.card.fingerprint).toBe(identity.card.fingerprint);
  });
});

describe('standard base64 is canonical (protocol.md sections 1, 6.1 and 11)', () => {
  it('takes padding left out or exactly right, and refuses wrong padding and non-zero unused bits', () => {
    expect([...fromBase64('QQ==')]).toEqual([0x41]);
    expect([...fromBase64('QQ')]).toEqual([0x41]);
    expect([...fromBase64('QUI=')]).toEqual([0x41, 0x42]);
    expect([...fromBase64('QUJD')]).toEqual([0x41, 0x42, 0x43]);
    for (const bad of ['QQ=', 'QQ===', 'QUJD=', 'QUJD==', 'QUJD====', 'QUI==', 'QR==', 'QUJ=', 'Q', 'QUJDQ', 'QQ==QQ==', 'Q=Q=', '=']) expect(() => fromBase64(bad), bad).toThrow(TypeError);
  });

  it('a secret key file whose base64 has non-zero unused bits is BAD_KEY_FILE', async () => {
    // 77 bytes with a 3-byte label: the last character has two unused bits.
    const text = exportIdentity(generateIdentity({ label: 'Bit' }));
    const lines = text.trimEnd().split('\n');
    const body = lines.slice(1, -1).join('');
    const data = body.replace(/=+$/, '');
    expect(data.length % 4, 'the key file has unused bits to set').not.toBe(0);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const last = data[data.length - 1]!;
    const altered = data.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 0x01]! + body.slice(data.length);
    await expectCode(() => importIdentity(`${lines[0]}\n${altered}\n${lines.at(-1)}\n`), 'BAD_KEY_FILE');
  });
});

describe('a text/plain; charset=utf-8 body is valid UTF-8 (protocol.md sections 7.5.2 and 9 step 18b)', () => {
  const alice = generateIdentity({ label: 'Alice' });
  const bob = generateIdentity({ label: 'Bob' });
  const invalid = [Uint8Array.of(0xc0, 0xaf), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xff), Uint8Array.of(0x61, 0xe2, 0x82)];

  it('seal refuses to write an invalid one (INVALID_OPTIONS)', async () => {
    for (const bytes of invalid) await expectCode(() => seal(bytes, { from: alice, to: bob.card, contentType: 'text/plain; charset=utf-8' }), 'INVALID_OPTIONS');
  });

  it('the same bytes under another type, even text/plain; charset=UTF-8 (a custom type), seal and open unchanged', async () => {
    for (const contentType of ['application/octet-stream', 'text/plain; charset=UTF-8']) {
      for (const bytes of invalid) {
        const opened = await open(seal(bytes, { from: alice, to: bob.card, contentType }), { identity: bob, contacts: [alice.card] });
        expect([...opened.plaintext]).toEqual([...bytes]);
      }
    }
  });
});
