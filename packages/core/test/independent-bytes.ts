/**
 * Byte helpers and the refusal type shared by the independent openers
 * (independent-opener.test.ts for v1, independent-opener-v2.test.ts): plain
 * conventions of docs/protocol.md §1, nothing taken from core.
 */
export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

export const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
export const u32 = (value: number): Uint8Array => Uint8Array.of(value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
export const readU32 = (bytes: Uint8Array, at: number): number => ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const unhex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
export const xor = (a: Uint8Array, b: Uint8Array): Uint8Array => a.map((byte, index) => byte ^ b[index]!);
export const utf8Strict = (bytes: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(bytes);

/** An envelope refused by an independent opener, with the error code the document gives. */
export class RefusedError extends Error {
  constructor(readonly code: string, message: string) {
    super(`${code}: ${message}`);
  }
}
export const refuse = (code: string, message: string): never => {
  throw new RefusedError(code, message);
};
