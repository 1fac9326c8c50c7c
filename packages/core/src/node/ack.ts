import { fromHex, toHex } from '../bytes.js';

/**
 * End-to-end acknowledgement: a sealed, signed envelope of content type
 * `application/vnd.herald.ack` whose body is one or more 16-byte message ids.
 * Acks are not acknowledged themselves.
 */
export const ACK_CONTENT_TYPE = 'application/vnd.herald.ack';
export const MAX_IDS_PER_ACK = 256;

export function encodeAck(ids: readonly string[]): Uint8Array {
  const body = new Uint8Array(ids.length * 16);
  ids.forEach((id, index) => body.set(fromHex(id), index * 16));
  return body;
}

/** Returns the acknowledged ids, or undefined when the body is not a whole number of ids. */
export function decodeAck(body: Uint8Array): string[] | undefined {
  if (body.length === 0 || body.length % 16 !== 0 || body.length > MAX_IDS_PER_ACK * 16) return undefined;
  const ids: string[] = [];
  for (let offset = 0; offset < body.length; offset += 16) ids.push(toHex(body.subarray(offset, offset + 16)));
  return ids;
}
