import { fromBase64, toBase64 } from '../bytes.js';
import { EnvelopeError } from '../errors.js';
import { trimWhitespace } from '../whitespace.js';

/** Lenient: bad sequences become U+FFFD, so any bytes can be tested for armor. */
const lenientUtf8 = new TextDecoder('utf-8');

/** ASCII armor for envelopes that must pass through text-only paths (chat, paste, e-mail body). */
export const ARMOR_BEGIN = '-----BEGIN HERALD ENVELOPE-----';
export const ARMOR_END = '-----END HERALD ENVELOPE-----';

export function armorEnvelope(bytes: Uint8Array): string {
  return `${ARMOR_BEGIN}\n${toBase64(bytes).replace(/(.{64})/g, '$1\n').trimEnd()}\n${ARMOR_END}\n`;
}

/** Bytes are read as UTF-8 (a character cut at byte 256 decodes to U+FFFD, after the BEGIN line in any armored input). */
export function isArmored(input: Uint8Array | string): boolean {
  const head = typeof input === 'string' ? input.slice(0, 256) : lenientUtf8.decode(input.subarray(0, 256));
  return trimWhitespace(head).startsWith(ARMOR_BEGIN);
}

export function dearmorEnvelope(text: string): Uint8Array {
  const trimmed = trimWhitespace(text);
  if (!trimmed.startsWith(ARMOR_BEGIN) || !trimmed.endsWith(ARMOR_END)) throw new EnvelopeError('MALFORMED', 'armored envelope lacks its BEGIN/END lines');
  try {
    return fromBase64(trimmed.slice(ARMOR_BEGIN.length, trimmed.length - ARMOR_END.length));
  } catch (cause) {
    throw new EnvelopeError('MALFORMED', 'armored envelope body is not base64', { cause });
  }
}

/** Accepts binary or armored input alike. */
export function envelopeFromInput(input: Uint8Array): Uint8Array {
  return isArmored(input) ? dearmorEnvelope(lenientUtf8.decode(input)) : input;
}
