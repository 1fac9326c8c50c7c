/**
 * The independent v1 implementation (see independent-v1.ts), part 2: the
 * fields of the inner part, from docs/protocol.md §7.5–§7.8 alone: precedence,
 * content type, the padding bucket and the string the sender signs.
 */
import { ascii, cat, utf8Strict } from './independent-bytes.js';
import { D } from './independent-v1-identity.js';

export const PRECEDENCE_BY_CODE = ['ROUTINE', 'PRIORITY', 'IMMEDIATE', 'FLASH'] as const;
const REGISTERED = ['application/octet-stream', 'text/plain; charset=utf-8', 'application/json', 'application/vnd.herald.ack'];

export function encodeContentType(contentType: string): Uint8Array {
  const code = REGISTERED.indexOf(contentType);
  if (code >= 0) return Uint8Array.of(code);
  const text = ascii(contentType);
  return cat(Uint8Array.of(0xff, text.length), text);
}

/** §7.5.2; undefined when invalid. */
export function decodeContentType(inner: Uint8Array, at: number): { contentType: string; length: number } | undefined {
  const code = inner[at];
  if (code === undefined) return undefined;
  if (code !== 0xff) return code < REGISTERED.length ? { contentType: REGISTERED[code]!, length: 1 } : undefined;
  const m = inner[at + 1];
  if (m === undefined || m === 0 || at + 2 + m > inner.length) return undefined;
  let contentType: string;
  try {
    contentType = utf8Strict(inner.subarray(at + 2, at + 2 + m));
  } catch {
    return undefined;
  }
  return REGISTERED.includes(contentType) ? undefined : { contentType, length: 2 + m };
}

/** §7.8 bucket rule, integer arithmetic only. */
export function bucket(unpaddedInner: number): number {
  const needed = unpaddedInner + 1;
  if (needed <= 256) return 256;
  if (needed <= 16384) {
    let size = 256;
    while (size < needed) size *= 2;
    return size;
  }
  const bitLength = (x: number): number => x.toString(2).length;
  const E = bitLength(needed) - 1;
  const S = bitLength(E);
  const step = 2 ** (E - S);
  return Math.ceil(needed / step) * step;
}

/** The exact byte string the sender signs (§7.7). */
export function signedString(header: Uint8Array, meta: number, contentTypeBytes: Uint8Array, senderSigningKey: Uint8Array, created: Uint8Array, body: Uint8Array): Uint8Array {
  return cat(D.envelopeSignature, header, Uint8Array.of(meta), contentTypeBytes, senderSigningKey, created, body);
}
