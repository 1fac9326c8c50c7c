const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The duration syntax as a (JSON Schema, ECMA-262) pattern: what parseDuration reads, for editors validating YAML. */
export const DURATION_PATTERN = '^\\s*(\\d{1,12}(?:\\.\\d{1,6})?)\\s*([mM][sS]|[sSmMhHdDwW])\\s*$';
const DURATION = new RegExp(DURATION_PATTERN);

/**
 * One duration syntax for every command line, config file and drill scenario:
 * a number (whole or decimal, no sign) and a unit, ms, s, m, h, d or w ("500ms",
 * "1.5s", "30d"), in milliseconds. A bare number means the caller's own unit
 * (seconds on the command line, the key's unit in a config file), so it is the
 * caller's to read; here it is undefined, like anything else that is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const exact = Number(match[1]) * (UNIT_MS[match[2]!.toLowerCase()] ?? Number.NaN);
  const ms = Math.round(exact);
  // Whole milliseconds only ("1.5ms" is a typo more likely than a wish); the tolerance absorbs binary fractions (1.1 × 1000).
  return Number.isSafeInteger(ms) && Math.abs(exact - ms) < 1e-6 ? ms : undefined;
}

/** The names a mistyped one most likely meant (edit distance at most 2, or a third of its length). */
export function didYouMean(word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
