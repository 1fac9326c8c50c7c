import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { platform as browser } from '../src/platform/browser.js';
import { platform as node } from '../src/platform/node.js';
import { mlKemKeyPair } from '../src/prekey/ml-kem.js';

// The browser platform runs under Node too (Web Crypto, TextDecoder and WebAssembly are there), so both twins are
// checked against each other here; packages/web-kit/test runs the bundled browser build in Chromium.
const bytes = fc.uint8Array({ maxLength: 300 });

describe('platform twins (node.ts and browser.ts) agree', () => {
  it('SHA3-256 and SHAKE256 give the same digests', () => {
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 4 }), fc.integer({ min: 1, max: 200 }), (parts, length) => {
        expect(browser.sha3_256(parts)).toStrictEqual(node.sha3_256(parts));
        const joined = new Uint8Array(parts.flatMap((part) => [...part]));
        expect(browser.shake256(joined, length)).toStrictEqual(node.shake256(joined, length));
      }),
    );
  });

  it('hex and base64 (standard unpadded input, and url-safe) round-trip to the same texts', () => {
    fc.assert(
      fc.property(bytes, (data) => {
        expect(browser.toHex(data)).toBe(node.toHex(data));
        expect(browser.fromHex(node.toHex(data))).toStrictEqual(data);
        for (const url of [false, true]) {
          const text = node.toBase64(data, url);
          expect(browser.toBase64(data, url)).toBe(text);
          expect(browser.fromBase64(text.replace(/=+$/, ''), url)).toStrictEqual(data);
        }
      }),
    );
  });

  it('UTF-8 validity is judged alike', () => {
    fc.assert(
      fc.property(bytes, (data) => {
        expect(browser.isUtf8(data)).toBe(node.isUtf8(data));
      }),
    );
    expect(browser.isUtf8(Uint8Array.of(0xc3, 0x28))).toBe(false);
    expect(browser.isUtf8(new TextEncoder().encode('précédence'))).toBe(true);
  });

  it('ML-KEM-768 from either encapsulates to the other', async () => {
    const keys = mlKemKeyPair(browser.shake256(Uint8Array.of(1), 32), browser.shake256(Uint8Array.of(2), 32));
    const [fromBrowser, fromNode] = [await browser.loadMlKem768(), await node.loadMlKem768()];
    const sealed = fromBrowser.encapsulate(keys.publicKey);
    expect(fromNode.decapsulate(sealed.ciphertext, keys.secretKey)).toStrictEqual(sealed.sharedSecret);
    const back = fromNode.encapsulate(keys.publicKey);
    expect(fromBrowser.decapsulate(back.ciphertext, keys.secretKey)).toStrictEqual(back.sharedSecret);
  });
});

describe('browser platform randomness', () => {
  it('fills buffers past Web Crypto\'s 65,536-byte limit, and not with zeros', () => {
    const big = new Uint8Array(200_000);
    browser.fillRandom(big);
    // Each 64 KiB chunk was filled: the chance of a chunk's last 32 bytes all being zero is 2^-256.
    for (const end of [65_536, 131_072, 196_608, 200_000]) expect(big.subarray(end - 32, end).some((byte) => byte !== 0)).toBe(true);
  });

  it('randomInt stays in [min, max) and reaches both ends', () => {
    const seen = new Set<number>();
    for (let draw = 0; draw < 2_000; draw++) {
      const value = browser.randomInt(10, 14);
      expect(value).toBeGreaterThanOrEqual(10);
      expect(value).toBeLessThan(14);
      seen.add(value);
    }
    expect([...seen].sort()).toStrictEqual([10, 11, 12, 13]);
    expect(() => browser.randomInt(5, 5)).toThrow(RangeError);
  });

  it('has no files: key files are refused with a typed error', async () => {
    await expect(browser.readTextFile('/etc/hostname')).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});
