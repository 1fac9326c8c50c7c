import { bucketLength } from '@herald/core';
import { PRE_AUTH_MAX_FRAME_BYTES } from './frame-layout.js';
import { allocUnfilled, FrameError } from './frame-primitives.js';

/**
 * Padded framing (docs/relay-protocol.md section 10): once both ends agreed on it, every frame travels inside a
 * PADDED frame whose length is a frame bucket, so an observer of the WebSocket (or TLS record) lengths sees buckets,
 * not ACKs, PUSHes or pings; a PADDED frame that carries no frame at all is cover traffic, dropped on arrival.
 */

/** The upgrade request's query parameter by which a client asks for padded framing (`ws://relay/?herald-pad=1`). */
export const PADDING_QUERY_PARAMETER = 'herald-pad';
/** PADDED, from the relay. */
export const PADDED_FROM_RELAY = 0x08;
/** PADDED, from the client. */
export const PADDED_FROM_CLIENT = 0x18;
/** type u8 ‖ flags u8 ‖ inner length u32. */
export const PADDED_HEADER_BYTES = 6;
/**
 * The query parameter by which a client with cover traffic asks the relay for cover frames of its own, at this many
 * frames a minute (`?herald-cover=60`); the relay sends them at that rate, or its cap, whichever is lower.
 */
export const COVER_QUERY_PARAMETER = 'herald-cover';
/** Flag of a cover frame: the other end answers it with a cover frame of the same length (and no flag). */
export const COVER_ECHO_FLAG = 0x01;
/** The smallest bucket: every control frame, the handshake and a one-recipient text envelope fit. */
export const MIN_FRAME_BUCKET = 512;
/**
 * Frame buckets are the envelope buckets (docs/protocol.md 7.8) plus this much: a padded envelope with up to three
 * recipients and its frame headers stay in the bucket of its envelope bucket instead of spilling into the next.
 */
export const FRAME_BUCKET_HEADROOM = 256;

/** The smallest frame bucket that holds `length` bytes: 512, then 256 + 512, 1 024, … 16 384, then 256 + Padmé. */
export function frameBucket(length: number): number {
  if (length <= MIN_FRAME_BUCKET) return MIN_FRAME_BUCKET;
  // bucketLength counts one marker byte on top of its argument: ask for exactly `length − headroom`.
  return FRAME_BUCKET_HEADROOM + bucketLength(length - FRAME_BUCKET_HEADROOM - 1);
}

/** The largest frame a relay reads before WELCOME on a padded connection: the bucket of a padded PRE_AUTH_MAX_FRAME_BYTES. */
export const PADDED_PRE_AUTH_MAX_FRAME_BYTES = frameBucket(PRE_AUTH_MAX_FRAME_BYTES + PADDED_HEADER_BYTES);

export function isFrameBucket(length: number): boolean {
  return frameBucket(length) === length;
}

/** Wraps `frame` in a PADDED frame of type `type`, padded with zeros to its bucket (or to `bucket`, if larger). */
export function encodePadded(type: number, frame: Uint8Array, bucket = 0): Uint8Array {
  // Every frame passes here: pooled memory (as frame-primitives.ts's envelopes), every byte written below, padding zeroed.
  const out = allocUnfilled(frameBucket(Math.max(PADDED_HEADER_BYTES + frame.length, bucket)));
  out[0] = type;
  out[1] = 0;
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(2, frame.length);
  out.set(frame, PADDED_HEADER_BYTES);
  out.fill(0, PADDED_HEADER_BYTES + frame.length);
  return out;
}

/** A cover frame of `bucket` bytes (a frame bucket): a PADDED frame with nothing inside. */
export function encodeCover(type: number, bucket: number, echo = false): Uint8Array {
  if (!isFrameBucket(bucket)) throw new FrameError(`a cover frame is a frame bucket long, not ${bucket} bytes`);
  const out = new Uint8Array(bucket);
  out[0] = type;
  out[1] = echo ? COVER_ECHO_FLAG : 0;
  return out;
}

export type Unpadded = { readonly cover: false; readonly frame: Uint8Array } | { readonly cover: true; readonly echo: boolean; readonly bytes: number };

/**
 * Reads a PADDED frame of type `type`. Refuses (FrameError, a protocol error) a length that is not a bucket, an
 * inner length past the end, unknown flags, the echo flag on anything but a cover frame, a PADDED frame inside,
 * and padding that is not all zeros: one encoding per frame, so the padding can carry nothing.
 */
export function decodePadded(type: number, bytes: Uint8Array): Unpadded {
  if (bytes.length < PADDED_HEADER_BYTES || bytes[0] !== type) throw new FrameError(`expected a PADDED frame (0x${type.toString(16).padStart(2, '0')})`);
  if (!isFrameBucket(bytes.length)) throw new FrameError(`PADDED frame of ${bytes.length} bytes is not a frame bucket`);
  const flags = bytes[1]!;
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(2);
  const end = PADDED_HEADER_BYTES + length;
  if (end > bytes.length) throw new FrameError(`PADDED frame says ${length} bytes inside, but holds ${bytes.length - PADDED_HEADER_BYTES}`);
  if (flags !== 0 && !(flags === COVER_ECHO_FLAG && length === 0)) throw new FrameError(`PADDED frame has flags 0x${flags.toString(16)}`);
  for (let index = end; index < bytes.length; index++) if (bytes[index] !== 0) throw new FrameError('PADDED frame padding is not all zeros');
  if (length === 0) return { cover: true, echo: flags === COVER_ECHO_FLAG, bytes: bytes.length };
  const frame = bytes.subarray(PADDED_HEADER_BYTES, end);
  if (frame[0] === PADDED_FROM_RELAY || frame[0] === PADDED_FROM_CLIENT) throw new FrameError('a PADDED frame inside a PADDED frame');
  return { cover: false, frame };
}
