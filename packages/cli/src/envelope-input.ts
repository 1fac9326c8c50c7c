import { DEFAULT_MAX_ENVELOPE_BYTES, EnvelopeError, envelopeFromInput } from '@herald/core';
import { readStdin } from './io.js';

/** Armor grows an envelope by a third plus line breaks; core enforces the real limit after decoding. */
const MAX_INPUT_BYTES = DEFAULT_MAX_ENVELOPE_BYTES * 2;

/**
 * Every binary envelope starts with its version byte, a control character, so
 * input that is all printable text cannot be one. Saying so beats core's
 * "version 104 is not supported" when someone pipes a plaintext file by mistake.
 */
function isPlainText(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes.every((byte) => (byte >= 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x0a || byte === 0x0d);
}

/** Reads an envelope from stdin, binary or armored. */
export async function readEnvelope(): Promise<Uint8Array> {
  const input = await readStdin(MAX_INPUT_BYTES, 'envelope');
  const envelope = envelopeFromInput(input);
  if (envelope === input && isPlainText(input)) throw new EnvelopeError('MALFORMED', 'input is text but not an armored envelope (no -----BEGIN HERALD ENVELOPE----- line)');
  return envelope;
}
