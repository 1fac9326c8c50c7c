const encoder = new TextEncoder();

export function utf8ToBytes(text: string): Uint8Array {
  return encoder.encode(text);
}
