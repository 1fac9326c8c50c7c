/**
 * The independent v1 implementation (see independent-v1.ts), part 3: the
 * compact text coding of a text/plain; charset=utf-8 body, from
 * docs/protocol.md §7.5.6 alone.
 */
import { ascii, cat, hex, refuse, unhex } from './independent-bytes.js';

/** §7.5.6 compact text coding: the three tables, character by character; table 3's index 51 is SHIFT. */
const TEXT_TABLES: Record<number, string> = {
  1: ` ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:?'-/()"=+@\n`,
  2: `${Array.from({ length: 95 }, (_, index) => String.fromCharCode(0x20 + index)).join('')}\n`,
  3: ` abcdefghijklmnopqrstuvwxyz0123456789.,:?'-/()"=+@\n`,
};
export const SHIFT = 51;
const radixOf = (id: number): number => TEXT_TABLES[id]!.length + (id === 3 ? 1 : 0);

export function codeWithTableDoc(body: Uint8Array, id: number): Uint8Array | undefined {
  const table = TEXT_TABLES[id]!;
  const digits: number[] = [];
  for (const byte of body) {
    const char = String.fromCharCode(byte);
    if (id === 3 && /[A-Z]/.test(char)) digits.push(SHIFT, table.indexOf(char.toLowerCase()));
    else digits.push(table.indexOf(char));
  }
  if (digits.length > 4096 || digits.includes(-1)) return undefined;
  let n = 1n;
  for (const digit of digits) n = n * BigInt(radixOf(id)) + BigInt(digit);
  const nibbles = n.toString(16);
  return cat(Uint8Array.of(id), unhex(nibbles.length % 2 ? `0${nibbles}` : nibbles));
}

/** The shortest coding, lower table on a tie, and only when shorter than the body. */
export function codeTextDoc(body: Uint8Array): Uint8Array | undefined {
  let best: Uint8Array | undefined;
  for (const id of [1, 2, 3]) {
    const coded = codeWithTableDoc(body, id);
    if (coded && coded.length < (best ?? body).length) best = coded;
  }
  return best;
}

export function decodeTextDoc(coded: Uint8Array): Uint8Array {
  const table = TEXT_TABLES[coded[0] ?? -1];
  if (!table) return refuse('MALFORMED', 'unknown text table');
  if (coded.length < 2 || coded[1] === 0) refuse('MALFORMED', 'empty number or leading zero byte');
  const id = coded[0]!;
  if (coded.length - 1 > Math.ceil((4096 * Math.log2(radixOf(id)) + 1) / 8)) refuse('MALFORMED', 'coded text too long');
  let n = BigInt(`0x${hex(coded.subarray(1))}`);
  const radix = BigInt(radixOf(id));
  const digits: number[] = [];
  while (n >= radix) {
    digits.unshift(Number(n % radix));
    n /= radix;
  }
  if (n !== 1n) refuse('MALFORMED', 'length marker is not 1');
  if (digits.length > 4096) refuse('MALFORMED', 'coded text too long');
  let text = '';
  for (let index = 0; index < digits.length; index++) {
    if (id !== 3 || digits[index] !== SHIFT) {
      text += table[digits[index]!]!;
      continue;
    }
    const next = digits[++index];
    if (next === undefined || next < 1 || next > 26) refuse('MALFORMED', 'SHIFT not before a letter');
    text += table[next!]!.toUpperCase();
  }
  return ascii(text);
}
