import { fromBase64Url } from './bytes.js';
import { trimWhitespace } from './whitespace.js';

/**
 * The bytes of a one-line text form (`prefix` then base64url), as cards and
 * prekey bundles are written: blank lines and `#` comment lines around it are
 * ignored. `fail` builds the caller's typed error for each defect.
 */
export function decodeTextLine(text: string, prefix: string, fail: (message: string, cause?: unknown) => Error): Uint8Array {
  const lines = text.split(/\r?\n/).map(trimWhitespace).filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length !== 1) throw fail(`expected exactly one \`${prefix}\` line`);
  const line = lines[0] ?? '';
  if (!line.startsWith(prefix)) throw fail(`the text must start with \`${prefix}\``);
  try {
    return fromBase64Url(line.slice(prefix.length));
  } catch (cause) {
    throw fail('the text after the prefix is not valid base64url', cause);
  }
}
