/**
 * The text rules of docs/protocol.md, written from the document alone for the
 * independent opener (independent-opener.test.ts): whitespace and canonical
 * base64 (§6.1), envelope armor (§11), and the small-order X25519 keys a card
 * decoder refuses (§4.1 step 8). Nothing here comes from core.
 */

/** §6.1: the 25 whitespace code points, listed one by one. */
const WHITESPACE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]);
const isWhitespace = (char: string): boolean => WHITESPACE.has(char.codePointAt(0)!);

export function trimDoc(text: string): string {
  const chars = [...text];
  let start = 0;
  let end = chars.length;
  while (start < end && isWhitespace(chars[start]!)) start++;
  while (end > start && isWhitespace(chars[end - 1]!)) end--;
  return chars.slice(start, end).join('');
}

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** §6.1 canonical base64 (and §4.2 for the URL alphabet, where no padding and no whitespace are allowed): undefined when refused. */
export function decodeBase64Doc(text: string, alphabet: 'standard' | 'url'): Uint8Array | undefined {
  const letters = alphabet === 'standard' ? STANDARD : URL_SAFE;
  const compact = alphabet === 'standard' ? [...text].filter((char) => !isWhitespace(char)).join('') : text;
  let padding = 0;
  while (alphabet === 'standard' && padding < compact.length && compact[compact.length - 1 - padding] === '=') padding++;
  const data = compact.slice(0, compact.length - padding);
  if (padding > 2 || data.length % 4 === 1) return undefined;
  if (padding > 0 && padding !== (4 - (data.length % 4)) % 4) return undefined;
  const values: number[] = [];
  for (const char of data) {
    const value = letters.indexOf(char);
    if (value < 0) return undefined;
    values.push(value);
  }
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const value of values) {
    acc = (acc << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return undefined; // unused low bits of the last character
  return Uint8Array.from(out);
}

/** §11: the envelope bytes of armored text, or undefined when the reader refuses (MALFORMED). */
export function dearmorDoc(text: string): Uint8Array | undefined {
  const begin = '-----BEGIN HERALD ENVELOPE-----';
  const end = '-----END HERALD ENVELOPE-----';
  const trimmed = trimDoc(text);
  if (!trimmed.startsWith(begin) || !trimmed.endsWith(end) || trimmed.length < begin.length + end.length) return undefined;
  return decodeBase64Doc(trimmed.slice(begin.length, trimmed.length - end.length), 'standard');
}

/** §4.1 step 8: the seven small-order u values of the table, compared with bit 255 cleared. */
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

export function isSmallOrderDoc(key: Uint8Array): boolean {
  const cleared = Uint8Array.from(key);
  cleared[31] = cleared[31]! & 0x7f;
  return SMALL_ORDER.includes(Buffer.from(cleared).toString('hex'));
}
