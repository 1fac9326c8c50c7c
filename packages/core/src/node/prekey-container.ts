import { concatBytes, utf8 } from '../bytes.js';
import { decodeContentType, encodeContentType } from '../envelope/content-type.js';
import { decodePrekeyBundle, encodePrekeyBundle, type PrekeyBundle } from '../prekey/bundle.js';

/**
 * Prekeys piggybacked on a message or an ack (docs/protocol.md section 16.9):
 * the sealed body becomes a small container of content type
 * `application/vnd.herald.prekeyed`, byte-exact:
 *
 *   version (1) = 0x01 ‖ bundle length (2, big-endian) ‖ prekey bundle (section 16.4)
 *   ‖ inner content type (encoded as in the envelope) ‖ inner body
 *
 * Only a message that carries prekeys is wrapped, so a node that never sends
 * prekeys sends what it always did.
 */
export const PREKEYED_CONTENT_TYPE = 'application/vnd.herald.prekeyed';
export const PREKEYED_VERSION = 1;
/** Most prekeys one message carries: a few one-time ones and the current medium-term ones. */
export const MAX_PIGGYBACK_PREKEYS = 8;

export interface Prekeyed {
  readonly bundle: PrekeyBundle;
  readonly contentType: string;
  readonly body: Uint8Array;
}

export function defaultContentType(payload: Uint8Array | string): string {
  return typeof payload === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream';
}

export function encodePrekeyed(bundle: PrekeyBundle, contentType: string, body: Uint8Array | string): Uint8Array {
  if (bundle.prekeys.length > MAX_PIGGYBACK_PREKEYS) throw new RangeError(`a message carries at most ${MAX_PIGGYBACK_PREKEYS} prekeys`);
  const encoded = encodePrekeyBundle(bundle);
  const head = new Uint8Array(3);
  head[0] = PREKEYED_VERSION;
  head[1] = encoded.length >>> 8;
  head[2] = encoded.length & 0xff;
  return concatBytes([head, encoded, encodeContentType(contentType), typeof body === 'string' ? utf8(body) : body]);
}

/** The container's parts, or undefined when the bytes are not a well-formed container (the caller refuses it as MALFORMED). */
export function decodePrekeyed(bytes: Uint8Array): Prekeyed | undefined {
  if (bytes.length < 3 || bytes[0] !== PREKEYED_VERSION) return undefined;
  const length = ((bytes[1] ?? 0) << 8) | (bytes[2] ?? 0);
  if (3 + length > bytes.length) return undefined;
  let bundle: PrekeyBundle;
  try {
    bundle = decodePrekeyBundle(bytes.subarray(3, 3 + length));
  } catch {
    return undefined;
  }
  if (bundle.prekeys.length > MAX_PIGGYBACK_PREKEYS) return undefined;
  const type = decodeContentType(bytes, 3 + length);
  if (!type || type.contentType === PREKEYED_CONTENT_TYPE) return undefined;
  return { bundle, contentType: type.contentType, body: bytes.slice(3 + length + type.length) };
}
