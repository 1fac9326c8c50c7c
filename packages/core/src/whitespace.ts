/**
 * The whitespace Herald's text forms ignore (docs/protocol.md section 1):
 * ECMAScript's WhiteSpace and LineTerminator as of Unicode 15, pinned here to
 * these 25 code points so the rule does not move with an engine's Unicode
 * tables. U+FEFF is among them, so a byte-order mark an editor put in front of
 * a card, key file or armored envelope is ignored. U+0085 and U+180E are not.
 */
const WHITESPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const EDGES = new RegExp(`^[${WHITESPACE}]+|[${WHITESPACE}]+$`, 'g');
const ANYWHERE = new RegExp(`[${WHITESPACE}]+`, 'g');

/** `text` without leading and trailing whitespace. */
export function trimWhitespace(text: string): string {
  return text.replace(EDGES, '');
}

/** `text` with every whitespace code point removed. */
export function removeWhitespace(text: string): string {
  return text.replace(ANYWHERE, '');
}
