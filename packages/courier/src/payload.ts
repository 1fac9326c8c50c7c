import { inspect } from '@herald/core';
import { CourierError } from './errors.js';

/**
 * What the offline encodings carry of an envelope. The full form is the
 * envelope as it is. The compact form, for one recipient, leaves out what the
 * reader can restore: the version byte (always 1), the recipient count
 * (always 1) and the 16-byte routing tag, which the recipient's card gives.
 * 18 bytes fewer is 31 letters, six groups, over the radio.
 */
export type PayloadForm = 'compact' | 'full';

export const KIND_COMPACT = 1;
export const KIND_FULL = 2;

const TAG_OFFSET = 38;
const TAG_BYTES = 16;
const CIPHERTEXT_OFFSET = TAG_OFFSET + TAG_BYTES;

export function canBeCompact(envelope: Uint8Array): boolean {
  return envelope.length > CIPHERTEXT_OFFSET && envelope[0] === 1 && envelope[37] === 1;
}

/** The kind number and bytes to encode; `auto` takes the compact form whenever the envelope has one recipient. */
export function toPayload(envelope: Uint8Array, form: PayloadForm | 'auto' = 'auto'): { kind: number; bytes: Uint8Array } {
  try {
    inspect(envelope);
  } catch (error) {
    throw new CourierError('BAD_GROUPS', `input is not a Herald envelope: ${(error as Error).message}`, { cause: error });
  }
  const compact = form === 'compact' || (form === 'auto' && canBeCompact(envelope));
  if (!compact) return { kind: KIND_FULL, bytes: envelope };
  if (!canBeCompact(envelope)) throw new CourierError('BAD_GROUPS', 'the compact form is for envelopes to exactly one recipient');
  const bytes = new Uint8Array(envelope.length - 18);
  bytes.set(envelope.subarray(1, 37), 0);
  bytes.set(envelope.subarray(CIPHERTEXT_OFFSET), 36);
  return { kind: KIND_COMPACT, bytes };
}

/** Rebuilds the envelope; the compact form needs the recipient's routing tag. */
export function fromPayload(kind: number, bytes: Uint8Array, routingTag: Uint8Array | undefined): Uint8Array {
  let envelope: Uint8Array;
  if (kind === KIND_FULL) envelope = bytes;
  else if (kind === KIND_COMPACT) {
    if (!routingTag) throw new CourierError('RECIPIENT_NEEDED', 'these groups are in the compact form (one recipient, routing tag left out): give the recipient\'s key or card to restore the envelope');
    if (routingTag.length !== TAG_BYTES) throw new RangeError('routing tag must be 16 bytes');
    if (bytes.length < 36) throw new CourierError('BAD_GROUPS', 'the groups decode to too few bytes for an envelope');
    envelope = new Uint8Array(bytes.length + 18);
    envelope[0] = 1;
    envelope.set(bytes.subarray(0, 36), 1);
    envelope[37] = 1;
    envelope.set(routingTag, TAG_OFFSET);
    envelope.set(bytes.subarray(36), CIPHERTEXT_OFFSET);
  } else throw new CourierError('BAD_GROUPS', `the groups decode to an unknown form (${kind}); they may come from a newer Herald`);
  try {
    inspect(envelope);
  } catch (error) {
    throw new CourierError('BAD_GROUPS', `the groups decode to bytes that are not an envelope: ${(error as Error).message}`, { cause: error });
  }
  return envelope;
}
