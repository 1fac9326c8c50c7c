import { CROCKFORD_ALPHABET } from '@herald/core';

/**
 * The two alphabets groups are written in. Letters A–Z (the default) read
 * aloud and key in Morse without ambiguity; Crockford base32 carries 5 bits
 * per character instead of 4.70, for keyboards and paper.
 */
export interface Alphabet {
  readonly name: 'letters' | 'base32';
  readonly symbols: string;
  readonly radix: 26 | 32;
  /** Maps one typed character (already upper-cased) to its digit value, or undefined. */
  digit(char: string): number | undefined;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export const LETTERS_ALPHABET: Alphabet = {
  name: 'letters',
  symbols: LETTERS,
  radix: 26,
  digit(char) {
    const value = LETTERS.indexOf(char);
    return value < 0 || char.length !== 1 ? undefined : value;
  },
};

// Crockford's reading rules: I and L are 1, O is 0 (so a misread look-alike still decodes).
const CROCKFORD_ALIASES: Readonly<Record<string, string>> = { I: '1', L: '1', O: '0' };

export const BASE32_ALPHABET: Alphabet = {
  name: 'base32',
  symbols: CROCKFORD_ALPHABET,
  radix: 32,
  digit(char) {
    const value = CROCKFORD_ALPHABET.indexOf(CROCKFORD_ALIASES[char] ?? char);
    return value < 0 || char.length !== 1 ? undefined : value;
  },
};

export function alphabetNamed(name: string): Alphabet {
  if (name === 'letters') return LETTERS_ALPHABET;
  if (name === 'base32') return BASE32_ALPHABET;
  throw new RangeError(`unknown alphabet "${name}" (letters or base32)`);
}

/** Canonical text of typed symbols: upper case, aliases resolved; undefined when a character is outside the alphabet. */
export function canonical(alphabet: Alphabet, typed: string): string | undefined {
  let out = '';
  for (const char of typed.toUpperCase()) {
    const value = alphabet.digit(char);
    if (value === undefined) return undefined;
    out += alphabet.symbols[value];
  }
  return out;
}
