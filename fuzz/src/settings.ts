/** Reads a whole-number setting from the environment (`HERALD_FUZZ_…`), with a precise message when it is not one. */
export function numberSetting(name: string, fallback: number, min = 0): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(value) || value < min) throw new Error(`${name}: expected a whole number ≥ ${min}, got ${JSON.stringify(text)}`);
  return value;
}
