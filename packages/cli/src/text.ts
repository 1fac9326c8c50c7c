/**
 * Escapes characters that could rewrite a terminal or forge extra `key: value`
 * lines. Applied to every string that came out of an envelope: the sender
 * chooses them (a custom content type can hold anything).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNSAFE, (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}
