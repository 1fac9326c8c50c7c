import { fromBase64Url, toBase64Url } from '@herald/core';

/**
 * The text forms of the trust formats, like cards' (protocol.md 4.2–4.3): one
 * line `PREFIX<base64url>` per object, with `#` comment lines for people that
 * readers ignore and never trust.
 */
export function toLine(prefix: string, bytes: Uint8Array): string {
  return `${prefix}${toBase64Url(bytes)}`;
}

/** The content lines of a text file: trimmed, without blank and comment lines. */
export function contentLines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

/** Decodes every content line, which must all carry `prefix`; `fail` builds the typed error. */
export function fromLines(text: string, prefix: string, fail: (message: string, cause?: unknown) => Error): Uint8Array[] {
  if (typeof text !== 'string') throw fail('expected text');
  const lines = contentLines(text);
  if (lines.length === 0) throw fail(`no ${prefix} line`);
  return lines.map((line) => {
    if (!line.startsWith(prefix)) throw fail(`every line must start with ${prefix}`);
    try {
      return fromBase64Url(line.slice(prefix.length));
    } catch (cause) {
      throw fail(`${prefix} line is not valid base64url`, cause);
    }
  });
}

/** Comment text is shown to people: keep it on one line and free of controls whatever a label holds. */
export const commentSafe = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
