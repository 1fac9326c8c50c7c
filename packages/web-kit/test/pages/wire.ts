/**
 * Values between a test in Node and a page, as JSON text: byte arrays, `undefined`
 * and errors survive the crossing. A byte array that is not exactly a Uint8Array on
 * the sending side (a Buffer, a subclass) arrives as a marker object, so a test's
 * "plain Uint8Array" check sees what the store really returned.
 */
interface Tagged {
  readonly $bytes?: number[];
  readonly $notPlain?: string;
  readonly $undefined?: true;
}

export function encode(value: unknown): string {
  if (value === undefined) return '{"$undefined":true}';
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof Uint8Array) return Object.getPrototypeOf(item) === Uint8Array.prototype ? { $bytes: Array.from(item) } : { $notPlain: item.constructor.name };
    if (item === undefined) return { $undefined: true };
    return item;
  });
}

export function decode(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (typeof item !== 'object' || item === null) return item;
    const tagged = item as Tagged;
    if (tagged.$bytes) return Uint8Array.from(tagged.$bytes);
    if (tagged.$undefined) return undefined;
    return item;
  });
}
