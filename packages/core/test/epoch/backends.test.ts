/**
 * The primitives epoch blinding adds to the sodium api give the same bytes on both backends; in particular the
 * native scalar_mul (built from scalar_add, sodium-native has none) against libsodium.js's own.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import type { Sodium } from '../../src/sodium/api.js';
import { loadNativeSodium } from '../../src/sodium/native.js';
import { loadWasmSodium } from '../../src/sodium/wasm.js';
import { bytesOf } from '../helpers.js';

const backends: readonly Sodium[] = [loadNativeSodium(), await loadWasmSodium()];

function same(call: (sodium: Sodium) => Uint8Array): string {
  const [a, b] = backends.map((sodium) => toHex(call(sodium)));
  expect(a).toBe(b);
  return a!;
}

describe('epoch primitives on both backends', () => {
  it('SHA-512 and scalar reduce/add/mul agree, including unreduced and all-ones inputs', () => {
    expect(same((s) => s.crypto_hash_sha512(new Uint8Array(0)))).toBe(
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    );
    const inputs = [bytesOf(32, 1), bytesOf(32, 2), new Uint8Array(32).fill(0xff), new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31))];
    for (const x of inputs) {
      for (const y of inputs) {
        same((s) => s.crypto_core_ed25519_scalar_mul(x, y));
        same((s) => s.crypto_core_ed25519_scalar_add(x, y));
      }
    }
    same((s) => s.crypto_core_ed25519_scalar_reduce(bytesOf(64, 5)));
  });

  it('scalar_mul by one is reduction, and it commutes', () => {
    const one = Uint8Array.of(1, ...new Uint8Array(31));
    const x = new Uint8Array(32).fill(0xff);
    for (const sodium of backends) {
      const reduced = sodium.crypto_core_ed25519_scalar_reduce(Uint8Array.of(...x, ...new Uint8Array(32)));
      expect(toHex(sodium.crypto_core_ed25519_scalar_mul(x, one)), sodium.backend).toBe(toHex(reduced));
      expect(toHex(sodium.crypto_core_ed25519_scalar_mul(bytesOf(32, 7), x))).toBe(toHex(sodium.crypto_core_ed25519_scalar_mul(x, bytesOf(32, 7))));
    }
  });

  it('noclamp scalar multiplication agrees, and both refuse a small-order point and a zero scalar', () => {
    const scalar = backends[0]!.crypto_core_ed25519_scalar_reduce(bytesOf(64, 9));
    const point = same((s) => s.crypto_scalarmult_ed25519_base_noclamp(scalar));
    const other = backends[0]!.crypto_core_ed25519_scalar_reduce(bytesOf(64, 10));
    same((s) => s.crypto_scalarmult_ed25519_noclamp(other, Uint8Array.from(Buffer.from(point, 'hex'))));
    for (const sodium of backends) {
      expect(() => sodium.crypto_scalarmult_ed25519_noclamp(other, new Uint8Array(32)), sodium.backend).toThrow();
      expect(() => sodium.crypto_scalarmult_ed25519_base_noclamp(new Uint8Array(32)), sodium.backend).toThrow();
    }
  });

  it('memzero zeroes', () => {
    for (const sodium of backends) {
      const bytes = bytesOf(40, 3);
      sodium.memzero(bytes);
      expect(bytes.every((byte) => byte === 0), sodium.backend).toBe(true);
    }
  });
});
