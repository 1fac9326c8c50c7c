import { DEFAULT_MAX_ENVELOPE_BYTES, inspect } from '@herald/core';
import { CourierError } from './errors.js';
import { sodium } from './sodium.js';
import { utf8ToBytes } from './text.js';

/**
 * A courier bundle (protocol.md, addendum B): sealed envelopes packed into one
 * file for removable media, all big-endian.
 *
 *   0   8  magic "HRLDBNDL"
 *   8   1  version 0x01
 *   9   1  flags 0x00 (reserved: readers refuse anything else)
 *  10   4  created, u32 seconds
 *  14   4  entry count, u32
 *  18   8  body length in bytes, u64
 *  26   …  entries: u32 length (1 .. 32 MiB) || envelope bytes
 *  end 32  BLAKE2b-256(key = "herald/v1/bundle", msg = every byte before it)
 *
 * The checksum makes damage and truncation certain to be noticed before
 * anything is taken in; it is not a signature (every envelope inside is signed
 * end to end already, see threat-model.md).
 */
export const BUNDLE_MAGIC = utf8ToBytes('HRLDBNDL');
export const BUNDLE_VERSION = 1;
export const BUNDLE_DOMAIN = utf8ToBytes('herald/v1/bundle');
export const BUNDLE_HEADER_BYTES = 26;
export const BUNDLE_CHECKSUM_BYTES = 32;
/** Default bound on a bundle read into memory. */
export const DEFAULT_MAX_BUNDLE_BYTES = 256 * 1024 * 1024;
export const MAX_BUNDLE_ENTRIES = 1_000_000;

export type BundleProgress = (done: number, total: number, phase: 'checking' | 'parsing') => void;

export function encodeBundle(envelopes: readonly Uint8Array[], options: { now?: number } = {}): Uint8Array {
  if (envelopes.length > MAX_BUNDLE_ENTRIES) throw new RangeError(`a bundle holds at most ${MAX_BUNDLE_ENTRIES} envelopes`);
  let body = 0;
  for (const envelope of envelopes) {
    if (envelope.length === 0 || envelope.length > DEFAULT_MAX_ENVELOPE_BYTES) throw new RangeError('bundle entries must be 1 byte to 32 MiB');
    body += 4 + envelope.length;
  }
  const out = new Uint8Array(BUNDLE_HEADER_BYTES + body + BUNDLE_CHECKSUM_BYTES);
  const view = new DataView(out.buffer);
  out.set(BUNDLE_MAGIC, 0);
  out[8] = BUNDLE_VERSION;
  out[9] = 0;
  view.setUint32(10, Math.floor((options.now ?? Date.now()) / 1000), false);
  view.setUint32(14, envelopes.length, false);
  view.setBigUint64(18, BigInt(body), false);
  let offset = BUNDLE_HEADER_BYTES;
  for (const envelope of envelopes) {
    view.setUint32(offset, envelope.length, false);
    out.set(envelope, offset + 4);
    offset += 4 + envelope.length;
  }
  out.set(checksum(out.subarray(0, offset)), offset);
  return out;
}

function checksum(bytes: Uint8Array, onProgress?: (done: number) => void): Uint8Array {
  const state = sodium.crypto_generichash_init(BUNDLE_DOMAIN, BUNDLE_CHECKSUM_BYTES);
  const step = 4 * 1024 * 1024;
  for (let offset = 0; offset < bytes.length; offset += step) {
    sodium.crypto_generichash_update(state, bytes.subarray(offset, Math.min(bytes.length, offset + step)));
    onProgress?.(Math.min(bytes.length, offset + step));
  }
  return sodium.crypto_generichash_final(state, BUNDLE_CHECKSUM_BYTES);
}

export interface DecodedBundle {
  readonly created: Date;
  readonly envelopes: readonly Uint8Array[];
}

/**
 * Checks a whole bundle and returns its envelopes, or throws TRUNCATED_BUNDLE
 * or BAD_BUNDLE: all or nothing, so a damaged file never half-imports.
 */
export function decodeBundle(bytes: Uint8Array, options: { onProgress?: BundleProgress } = {}): DecodedBundle {
  const bad = (message: string): CourierError => new CourierError('BAD_BUNDLE', message);
  const truncated = (message: string): CourierError => new CourierError('TRUNCATED_BUNDLE', message);
  if (bytes.length < BUNDLE_MAGIC.length || !BUNDLE_MAGIC.every((byte, index) => bytes[index] === byte)) {
    if (bytes.length < BUNDLE_MAGIC.length && BUNDLE_MAGIC.subarray(0, bytes.length).every((byte, index) => bytes[index] === byte)) throw truncated(`the bundle ends after ${bytes.length} bytes, inside its header`);
    throw bad('not a Herald bundle (no HRLDBNDL magic)');
  }
  if (bytes.length < BUNDLE_HEADER_BYTES) throw truncated(`the bundle ends after ${bytes.length} bytes, inside its header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[8] !== BUNDLE_VERSION) throw bad(`bundle version ${bytes[8]} is not supported (this Herald reads version ${BUNDLE_VERSION})`);
  if (bytes[9] !== 0) throw bad('the bundle sets reserved flags');
  const count = view.getUint32(14, false);
  const body = view.getBigUint64(18, false);
  if (count > MAX_BUNDLE_ENTRIES) throw bad(`the bundle claims ${count} envelopes (at most ${MAX_BUNDLE_ENTRIES})`);
  const expected = BigInt(BUNDLE_HEADER_BYTES) + body + BigInt(BUNDLE_CHECKSUM_BYTES);
  if (BigInt(bytes.length) < expected) throw truncated(`the bundle ends after ${bytes.length} of its ${expected} bytes (copy interrupted?)`);
  if (BigInt(bytes.length) > expected) throw bad(`the bundle has ${BigInt(bytes.length) - expected} bytes after its end`);
  const end = bytes.length - BUNDLE_CHECKSUM_BYTES;
  const computed = checksum(bytes.subarray(0, end), (done) => options.onProgress?.(done, end, 'checking'));
  if (!sodium.memcmp(computed, bytes.subarray(end))) throw bad('the bundle fails its integrity check: it was damaged or altered; nothing was taken from it');
  const envelopes: Uint8Array[] = [];
  let offset = BUNDLE_HEADER_BYTES;
  while (offset < end) {
    if (offset + 4 > end) throw bad(`entry ${envelopes.length + 1} has a cut length field`);
    const length = view.getUint32(offset, false);
    if (length === 0 || length > DEFAULT_MAX_ENVELOPE_BYTES || offset + 4 + length > end) throw bad(`entry ${envelopes.length + 1} has an impossible length (${length})`);
    const envelope = bytes.subarray(offset + 4, offset + 4 + length);
    try {
      inspect(envelope);
    } catch (error) {
      throw bad(`entry ${envelopes.length + 1} is not an envelope: ${(error as Error).message}`);
    }
    envelopes.push(envelope);
    offset += 4 + length;
    if (envelopes.length % 1000 === 0) options.onProgress?.(envelopes.length, count, 'parsing');
  }
  if (envelopes.length !== count) throw bad(`the bundle claims ${count} envelopes but holds ${envelopes.length}`);
  // The last step is always reported, so a progress display ends at 100 %.
  if (envelopes.length % 1000 !== 0) options.onProgress?.(envelopes.length, count, 'parsing');
  return { created: new Date(view.getUint32(10, false) * 1000), envelopes };
}

/** BLAKE2b-256 of envelope bytes, hex: how bundles and imports tell identical envelopes apart. */
export function envelopeHash(bytes: Uint8Array): string {
  return Buffer.from(sodium.crypto_generichash(32, bytes, null)).toString('hex');
}
