import { EnvelopeError } from '../errors.js';

/**
 * Compact text coding of a body (docs/protocol.md, section 7.5.6), chosen by the
 * sender with meta bit 4 for narrow channels such as cipher groups read over a
 * radio. It runs before encryption, inside the sealed inner part, so the outer
 * bytes show nothing of it but a shorter length (as an unpadded body already does).
 *
 *     coded body = table (u8) || big-endian bytes of N, no leading zero byte
 *     N          = R^n + Σ d_i · R^(n−1−i)     // d_i: index of character i in the table, R = table size
 *
 * The leading 1 (R^n) keeps leading index-0 characters and gives the length.
 */
export interface TextTable {
  readonly id: number;
  readonly symbols: string;
}

/** Table 1: what Morse keys (ITU-R M.1677-1, less ×), with space and line feed. 51 symbols, 5.67 bits a character. */
export const MORSE_TABLE: TextTable = { id: 1, symbols: ` ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:?'-/()"=+@\n` };

/** Table 2: printable ASCII (0x20–0x7E) and line feed. 96 symbols, 6.58 bits a character. */
export const ASCII_TABLE: TextTable = { id: 2, symbols: `${Array.from({ length: 95 }, (_, index) => String.fromCharCode(0x20 + index)).join('')}\n` };

export const TEXT_TABLES: readonly TextTable[] = [MORSE_TABLE, ASCII_TABLE];

/**
 * Longest text coded (characters) and so the largest coded body a reader
 * decodes. The coding is for hand-carried channels; the bound keeps the big-number
 * arithmetic (quadratic in the length) to well under a millisecond.
 */
export const MAX_CODED_TEXT_CHARS = 4096;

const CHUNK = 6; // digits per step: 96^6 < 2^53, so a chunk is an exact Number

function indexOf(table: TextTable): Int16Array {
  const map = new Int16Array(256).fill(-1);
  for (let index = 0; index < table.symbols.length; index++) map[table.symbols.charCodeAt(index)] = index;
  return map;
}
const INDEXES = new Map(TEXT_TABLES.map((table) => [table.id, indexOf(table)]));

function bigintToBytes(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Codes `body` with `table`, or returns undefined when a byte is not in the table or the text is too long. */
export function codeWithTable(body: Uint8Array, table: TextTable): Uint8Array | undefined {
  if (body.length > MAX_CODED_TEXT_CHARS) return undefined;
  const map = INDEXES.get(table.id);
  if (!map) throw new RangeError(`unknown text table ${table.id}`);
  const radix = BigInt(table.symbols.length);
  let value = 1n;
  for (let start = 0; start < body.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, body.length);
    let chunk = 0;
    for (let index = start; index < end; index++) {
      const digit = map[body[index] ?? 0] ?? -1;
      if (digit < 0) return undefined;
      chunk = chunk * table.symbols.length + digit;
    }
    value = value * radix ** BigInt(end - start) + BigInt(chunk);
  }
  const number = bigintToBytes(value);
  const out = new Uint8Array(1 + number.length);
  out[0] = table.id;
  out.set(number, 1);
  return out;
}

/** The shortest coding of a text body, or undefined when none is shorter than the body itself. */
export function codeText(body: Uint8Array): Uint8Array | undefined {
  let best: Uint8Array | undefined;
  for (const table of TEXT_TABLES) {
    const coded = codeWithTable(body, table);
    if (coded && coded.length < (best?.length ?? body.length)) best = coded;
  }
  return best;
}

/** Decodes a coded body back to its ASCII bytes; anything but the one canonical coding is MALFORMED. */
export function decodeText(coded: Uint8Array): Uint8Array {
  const table = TEXT_TABLES.find((candidate) => candidate.id === coded[0]);
  if (!table) throw new EnvelopeError('MALFORMED', `coded text names an unknown table (${String(coded[0])})`);
  if (coded.length < 2 || coded[1] === 0) throw new EnvelopeError('MALFORMED', 'coded text number is empty or has a leading zero byte');
  // n·log2(R) ≤ 8·bytes, so a bound on bytes bounds the work before any arithmetic.
  const maxBytes = Math.ceil((MAX_CODED_TEXT_CHARS * Math.log2(table.symbols.length) + 1) / 8);
  if (coded.length - 1 > maxBytes) throw new EnvelopeError('MALFORMED', `coded text is longer than ${MAX_CODED_TEXT_CHARS} characters`);
  let value = BigInt(`0x${Buffer.from(coded.subarray(1)).toString('hex')}`);
  const radix = table.symbols.length;
  const step = BigInt(radix) ** BigInt(CHUNK);
  const chunks: number[] = [];
  while (value >= step) {
    chunks.push(Number(value % step));
    value /= step;
  }
  // value now holds the leading 1 and up to CHUNK−1 digits: split those off the top.
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
  if (digits.length > MAX_CODED_TEXT_CHARS) throw new EnvelopeError('MALFORMED', `coded text is longer than ${MAX_CODED_TEXT_CHARS} characters`);
  const out = new Uint8Array(digits.length);
  for (let index = 0; index < digits.length; index++) out[index] = table.symbols.charCodeAt(digits[index] ?? 0);
  return out;
}
