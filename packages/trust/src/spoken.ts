/**
 * Fingerprints read aloud: over a poor voice line "B" and "D" or "M" and "N"
 * are easily confused, so each character is also given as a word from the
 * ICAO/NATO spelling alphabet (digits as their English names).
 */
const WORDS: Readonly<Record<string, string>> = {
  0: 'zero', 1: 'one', 2: 'two', 3: 'three', 4: 'four', 5: 'five', 6: 'six', 7: 'seven', 8: 'eight', 9: 'nine',
  A: 'alfa', B: 'bravo', C: 'charlie', D: 'delta', E: 'echo', F: 'foxtrot', G: 'golf', H: 'hotel', J: 'juliett', K: 'kilo',
  M: 'mike', N: 'november', P: 'papa', Q: 'quebec', R: 'romeo', S: 'sierra', T: 'tango', V: 'victor', W: 'whiskey', X: 'x-ray', Y: 'yankee', Z: 'zulu',
};

export type SpokenFingerprint = readonly string[];

/** One line of words per group of five: `RPPP7` → `romeo papa papa papa seven`. */
export function spell(fingerprint: string): SpokenFingerprint {
  return fingerprint.split(' ').map((group) => [...group].map((char) => WORDS[char] ?? char).join(' '));
}
