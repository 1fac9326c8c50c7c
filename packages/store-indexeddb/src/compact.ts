/**
 * A copy of `value` whose byte arrays are compact, plain Uint8Arrays. A structured
 * clone keeps a view's whole underlying buffer (a 100-byte subarray of a 64 KiB
 * read would store 64 KiB) and its subclass is lost anyway (a Buffer comes back a
 * Uint8Array); copying first stores exactly the bytes.
 */
export function compactBytes<T>(value: T): T {
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => compactBytes(item)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = compactBytes(item);
    return out as T;
  }
  return value;
}
