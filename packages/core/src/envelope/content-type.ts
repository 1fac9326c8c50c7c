import { fromUtf8, utf8 } from '../bytes.js';

/**
 * Content types travel inside the envelope as one byte when registered,
 * or as 0xFF followed by a length byte and the UTF-8 type string.
 */
export const REGISTERED_CONTENT_TYPES: readonly string[] = [
  'application/octet-stream',
  'text/plain; charset=utf-8',
  'application/json',
  'application/vnd.herald.ack',
];
export const CUSTOM_CONTENT_TYPE = 0xff;
export const MAX_CONTENT_TYPE_BYTES = 255;

export function encodeContentType(contentType: string): Uint8Array {
  const code = REGISTERED_CONTENT_TYPES.indexOf(contentType);
  if (code >= 0) return Uint8Array.of(code);
  const text = utf8(contentType);
  const out = new Uint8Array(2 + text.length);
  out[0] = CUSTOM_CONTENT_TYPE;
  out[1] = text.length;
  out.set(text, 2);
  return out;
}

/** Returns the type and how many bytes it took, or undefined if the bytes are not a valid encoding. */
export function decodeContentType(bytes: Uint8Array, offset: number): { contentType: string; length: number } | undefined {
  const code = bytes[offset];
  if (code === undefined) return undefined;
  if (code !== CUSTOM_CONTENT_TYPE) {
    const contentType = REGISTERED_CONTENT_TYPES[code];
    return contentType === undefined ? undefined : { contentType, length: 1 };
  }
  const length = bytes[offset + 1];
  if (length === undefined || length === 0 || offset + 2 + length > bytes.length) return undefined;
  try {
    const contentType = fromUtf8(bytes.subarray(offset + 2, offset + 2 + length));
    // A registered type must use its code, so every type has exactly one encoding.
    if (REGISTERED_CONTENT_TYPES.includes(contentType)) return undefined;
    return { contentType, length: 2 + length };
  } catch {
    return undefined;
  }
}
