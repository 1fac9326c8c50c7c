/**
 * Bytes ↔ digits in base 26 or 32 through one big number, so no bits are lost
 * at block edges: a byte string of n bytes costs ceil((8n + k) / log2(radix))
 * digits, where k ≤ 2 bits carry the form (see `packNumber`).
 *
 * The number is `kind · 2^(8n) + bytes` with `kind` in 1..255 (no leading zero
 * bits), so the reader recovers n from the number's bit length alone and
 * leading zero digits (the padding that fills the last group) change nothing.
 */

export function packNumber(kind: number, bytes: Uint8Array): bigint {
  if (!Number.isInteger(kind) || kind < 1 || kind > 255) throw new RangeError('kind must be 1..255');
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return (BigInt(kind) << BigInt(8 * bytes.length)) | (hex.length === 0 ? 0n : BigInt(`0x${hex}`));
}

export function unpackNumber(value: bigint): { kind: number; bytes: Uint8Array } | undefined {
  if (value <= 0n) return undefined;
  const bits = value.toString(2).length;
  const length = Math.floor((bits - 1) / 8);
  const kind = Number(value >> BigInt(8 * length));
  const rest = value & ((1n << BigInt(8 * length)) - 1n);
  const hex = length === 0 ? '' : rest.toString(16).padStart(2 * length, '0');
  return { kind, bytes: new Uint8Array(Buffer.from(hex, 'hex')) };
}

/** Digits of `value` in `radix`, most significant first, left-padded with zeros to `minDigits`. */
export function toDigits(value: bigint, radix: number, minDigits = 1): number[] {
  const text = value.toString(radix);
  const digits = Array.from(text, (char) => Number.parseInt(char, radix));
  while (digits.length < minDigits) digits.unshift(0);
  return digits;
}

const powerCache = new Map<string, bigint>();
function power(radix: number, exponent: number): bigint {
  const key = `${radix}^${exponent}`;
  let cached = powerCache.get(key);
  if (cached === undefined) {
    cached = BigInt(radix) ** BigInt(exponent);
    if (powerCache.size > 256) powerCache.clear();
    powerCache.set(key, cached);
  }
  return cached;
}

/** The number the digits spell. Divide and conquer, so long messages stay fast (no quadratic Horner loop). */
export function fromDigits(digits: readonly number[], radix: number): bigint {
  const build = (start: number, end: number): bigint => {
    if (end - start <= 10) {
      let value = 0;
      for (let index = start; index < end; index++) value = value * radix + (digits[index] ?? 0);
      return BigInt(value);
    }
    const middle = (start + end) >>> 1;
    return build(start, middle) * power(radix, end - middle) + build(middle, end);
  };
  return digits.length === 0 ? 0n : build(0, digits.length);
}

/** How many digits a number of `bits` bits needs in `radix`. */
export function digitsForBits(bits: number, radix: number): number {
  return Math.ceil(bits / Math.log2(radix) - 1e-9);
}
