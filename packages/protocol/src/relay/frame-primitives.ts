import { writeU32 } from '@herald/core';
/** The byte-level helpers every frame codec of the relay protocol shares. Not exported from the package, except FrameError and allocUnfilled. */

/** A frame that does not decode; the relay closes with PROTOCOL_ERROR, the client drops the connection. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

export const encoder = new TextEncoder();
export const decoder = new TextDecoder('utf-8', { fatal: true });

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Under Node a pooled, unfilled Buffer (viewed as a plain Uint8Array) instead of a fresh zeroed ArrayBuffer per
 * envelope, which cost an off-heap allocation each and showed in both sides' profiles; in a page, a Uint8Array.
 * Callers write every byte of it (padding.ts zeroes its padding itself).
 */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafe(length: number): Uint8Array } }).Buffer;
export function allocUnfilled(length: number): Uint8Array {
  if (!NodeBuffer) return new Uint8Array(length);
  const out = NodeBuffer.allocUnsafe(length);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

export function withId(type: number, id: number, body?: Uint8Array): Uint8Array {
  // Every DEPOSIT and PUSH passes here: every byte is written below, so unfilled memory will do.
  const out = allocUnfilled(5 + (body?.length ?? 0));
  out[0] = type;
  writeU32(out, 1, id);
  if (body) out.set(body, 5);
  return out;
}

export function need(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length < length) throw new FrameError(`${what} frame is truncated`);
}

export function exactly(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) throw new FrameError(`${what} frame must be ${length} bytes, got ${bytes.length}`);
}
