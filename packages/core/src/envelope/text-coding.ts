import { fromHex, toHex } from '../bytes.js';
import { EnvelopeError } from '../errors.js';

/**
 * Compact text coding of a body (docs/protocol.md, section 7.5.6), chosen by the
 * sender with meta bit 4 for narrow channels such as cipher groups read over a
 * radio. It runs before encryption, inside the sealed inner part, so the outer
 * bytes show nothing of it but a shorter length (as an unpadded body already does).
 *
 *     coded body = table (u8) || big-endian bytes of N, no leading zero byte
 *     N          = R^n + Σ d_i · R^(n−1−i)     // d_i: the i-th symbol's index in the table, R = table size
 *
 * The leading 1 (R^n) keeps leading index-0 symbols and gives the length.
 */
export interface TextTable {
  readonly id: number;
  /** Index → character. With `shift`, the last index is SHIFT: the next symbol, a letter, is upper case. */
  readonly symbols: string;
  readonly shift: boolean;
}

const MORSE_REST = `0123456789.,:?'-/()"=+@\n`;

/** Table 1: what Morse keys (ITU-R M.1677-1, less ×), with space and line feed. 51 symbols, 5.67 bits a character. */
export const MORSE_TABLE: TextTable = { id: 1, symbols: ` ABCDEFGHIJKLMNOPQRSTUVWXYZ${MORSE_REST}`, shift: false };

/** Table 2: printable ASCII (0x20–0x7E) and line feed. 96 symbols, 6.58 bits a character. */
export const ASCII_TABLE: TextTable = { id: 2, symbols: `${Array.from({ length: 95 }, (_, index) => String.fromCharCode(0x20 + index)).join('')}\n`, shift: false };

/** Table 3: table 1 in lower case, and SHIFT before each capital. 52 symbols: sentence-case text in 5.7 bits a character and a symbol per capital. */
export const MORSE_LOWER_TABLE: TextTable = { id: 3, symbols: ` abcdefghijklmnopqrstuvwxyz${MORSE_REST}\u0000`, shift: true };

export const TEXT_TABLES: readonly TextTable[] = [MORSE_TABLE, ASCII_TABLE, MORSE_LOWER_TABLE];

/**
 * Most symbols coded, and so the largest coded body a reader decodes. The coding
 * is for hand-carried channels; the bound keeps the big-number arithmetic
 * (quadratic in the length) to well under a millisecond.
 */
export const MAX_CODED_TEXT_CHARS = 4096;

const CHUNK = 6; // digits per step: 96^6 < 2^53, so a chunk is an exact Number
const A = 0x41;
const Z = 0x5a;
const CASE = 0x20;

function indexMap(table: TextTable): Int16Array {
  const map = new Int16Array(256).fill(-1);
  const count = table.shift ? table.symbols.length - 1 : table.symbols.length;
  for (let index = 0; index < count; index++) map[table.symbols.charCodeAt(index)] = index;
  return map;
}
const MAPS = new Map(TEXT_TABLES.map((table) => [table.id, indexMap(table)]));

/** The symbols of `body` in `table`, or undefined when a byte has none or there are too many. */
function symbolsOf(body: Uint8Array, table: TextTable): number[] | undefined {
  const map = MAPS.get(table.id);
  if (!map) throw new RangeError(`unknown text table ${table.id}`);
  const shift = table.symbols.length - 1;
  const out: number[] = [];
  for (const byte of body) {
    if (table.shift && byte >= A && byte <= Z) out.push(shift, map[byte | CASE] ?? -1);
    else out.push(map[byte] ?? -1);
    if (out.length > MAX_CODED_TEXT_CHARS || (out.at(-1) ?? -1) < 0) return undefined;
  }
  return out;
}

function bigintToBytes(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return fromHex(hex);
}

/** Codes `body` with `table`, or returns undefined when a byte is not in the table or the text is too long. */
export function codeWithTable(body: Uint8Array, table: TextTable): Uint8Array | undefined {
  const digits = symbolsOf(body, table);
  if (!digits) return undefined;
  const radix = table.symbols.length;
  let value = 1n;
  for (let start = 0; start < digits.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, digits.length);
    let chunk = 0;
    for (let index = start; index < end; index++) chunk = chunk * radix + (digits[index] ?? 0);
    value = value * BigInt(radix) ** BigInt(end - start) + BigInt(chunk);
  }
  const number = bigintToBytes(value);
  const out = new Uint8Array(1 + number.length);
  out[0] = table.id;
  out.set(number, 1);
  return out;
}

/** The shortest coding of a text body (the lowest table id on a tie), or undefined when none is shorter than the body. */
export function codeText(body: Uint8Array): Uint8Array | undefined {
  let best: Uint8Array | undefined;
  for (const table of TEXT_TABLES) {
    const coded = codeWithTable(body, table);
    if (coded && coded.length < (best?.length ?? body.length)) best = coded;
  }
  return best;
}

/** The digits of the number after its leading 1, most significant first; MALFORMED when the leading digit is not 1. */
function digitsOf(number: Uint8Array, radix: number): number[] {
  let value = BigInt(`0x${toHex(number)}`);
  const step = BigInt(radix) ** BigInt(CHUNK);
  const chunks: number[] = [];
  while (value >= step) {
    chunks.push(Number(value % step));
    value /= step;
  }
  // What is left holds the leading 1 and fewer than CHUNK digits.
  const digits: number[] = [];
  let head = Number(value);
  while (head >= radix) {
    digits.push(head % radix);
    head = Math.floor(head / radix);
  }
  if (head !== 1) throw new EnvelopeError('MALFORMED', 'coded text does not start with its length marker');
  digits.reverse();
  for (let index = chunks.length - 1; index >= 0; index--) {
    let chunk = chunks[index] ?? 0;
    const part = new Array<number>(CHUNK);
    for (let place = CHUNK - 1; place >= 0; place--) {
      part[place] = chunk % radix;
      chunk = Math.floor(chunk / radix);
    }
    digits.push(...part);
  }
  return digits;
}

/** Decodes a coded body back to its ASCII bytes; anything but the one canonical coding is MALFORMED. */
export function decodeText(coded: Uint8Array): Uint8Array {
  const table = TEXT_TABLES.find((candidate) => candidate.id === coded[0]);
  if (!table) throw new EnvelopeError('MALFORMED', `coded text names an unknown table (${String(coded[0])})`);
  if (coded.length < 2 || coded[1] === 0) throw new EnvelopeError('MALFORMED', 'coded text number is empty or has a leading zero byte');
  const radix = table.symbols.length;
  // n·log2(R) ≤ 8·bytes, so a bound on bytes bounds the work before any arithmetic.
  if (coded.length - 1 > Math.ceil((MAX_CODED_TEXT_CHARS * Math.log2(radix) + 1) / 8)) throw new EnvelopeError('MALFORMED', `coded text is longer than ${MAX_CODED_TEXT_CHARS} symbols`);
  const digits = digitsOf(coded.subarray(1), radix);
  if (digits.length > MAX_CODED_TEXT_CHARS) throw new EnvelopeError('MALFORMED', `coded text is longer than ${MAX_CODED_TEXT_CHARS} symbols`);
  const shift = table.shift ? radix - 1 : -1;
  const out: number[] = [];
  for (let index = 0; index < digits.length; index++) {
    const digit = digits[index] ?? 0;
    if (digit !== shift) {
      out.push(table.symbols.charCodeAt(digit));
      continue;
    }
    // SHIFT: the next symbol must be a lower-case letter, written in upper case.
    const letter = table.symbols.charCodeAt(digits[++index] ?? shift);
    if (!(letter >= (A | CASE) && letter <= (Z | CASE))) throw new EnvelopeError('MALFORMED', 'coded text has a SHIFT that is not before a letter');
    out.push(letter & ~CASE);
  }
  return Uint8Array.from(out);
}
