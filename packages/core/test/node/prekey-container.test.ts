import { describe, expect, it } from 'vitest';
import { decodePrekeyed, encodePrekeyBundle, encodePrekeyed, generateIdentity, generatePrekeys, MAX_PIGGYBACK_PREKEYS, PREKEYED_CONTENT_TYPE } from '@herald/core';

const owner = generateIdentity({ label: 'Owner' });
const prekeys = generatePrekeys(owner, { kind: 'x25519', count: MAX_PIGGYBACK_PREKEYS + 1, oneTime: true }).map((owned) => owned.prekey);
const bundle = { owner: owner.card.signingPublicKey, prekeys: prekeys.slice(0, 2) };

describe('the prekey container (protocol 16.9)', () => {
  it('round-trips the bundle, the inner content type and the body, byte for byte as specified', () => {
    const bytes = encodePrekeyed(bundle, 'application/json', '{"a":1}');
    const encodedBundle = encodePrekeyBundle(bundle);
    expect(bytes[0]).toBe(1);
    expect((bytes[1]! << 8) | bytes[2]!).toBe(encodedBundle.length);
    expect(bytes.subarray(3, 3 + encodedBundle.length)).toEqual(encodedBundle);
    expect(bytes[3 + encodedBundle.length]).toBe(2); // application/json's registered code (7.4)
    const decoded = decodePrekeyed(bytes)!;
    expect(decoded.contentType).toBe('application/json');
    expect(new TextDecoder().decode(decoded.body)).toBe('{"a":1}');
    expect(decoded.bundle.prekeys.map((prekey) => prekey.id)).toEqual(bundle.prekeys.map((prekey) => prekey.id));
  });

  it('refuses another version, a bundle longer than the bytes, a bad bundle, too many prekeys and a container inside a container', () => {
    const good = encodePrekeyed(bundle, 'text/plain; charset=utf-8', 'x');
    expect(decodePrekeyed(Uint8Array.of(2, ...good.subarray(1)))).toBeUndefined();
    expect(decodePrekeyed(Uint8Array.of(1, 0xff, 0xff, ...good.subarray(3)))).toBeUndefined();
    const corrupt = good.slice();
    corrupt[3] = 9; // bundle version
    expect(decodePrekeyed(corrupt)).toBeUndefined();
    expect(decodePrekeyed(new Uint8Array(0))).toBeUndefined();
    const tooMany = { owner: owner.card.signingPublicKey, prekeys };
    expect(() => encodePrekeyed(tooMany, 'text/plain; charset=utf-8', 'x')).toThrow(RangeError);
    const encodedTooMany = encodePrekeyBundle(tooMany);
    const forcedTooMany = Uint8Array.of(1, encodedTooMany.length >> 8, encodedTooMany.length & 0xff, ...encodedTooMany, 1, 0x78);
    expect(decodePrekeyed(forcedTooMany)).toBeUndefined();
    expect(decodePrekeyed(encodePrekeyed(bundle, PREKEYED_CONTENT_TYPE, good))).toBeUndefined();
    expect(decodePrekeyed(good)?.contentType).toBe('text/plain; charset=utf-8');
  });
});
