import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { fromHex, toHex } from '../../src/bytes.js';
import { secureRandom } from '../../src/random.js';
import { xwingKem } from '../../src/prekey/xwing.js';
import { expectCode } from '../helpers.js';

interface XWingVector {
  seed: string;
  sk: string;
  pk: string;
  eseed: string;
  ct: string;
  ss: string;
}
const vectors = (JSON.parse(readFileSync(new URL('../vectors/xwing.json', import.meta.url), 'utf8')) as { cases: XWingVector[] }).cases;
/** The order-8 point of Curve25519: X25519 with it gives an all-zero output. */
const SMALL_ORDER_POINT = fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800');

describe('X-Wing against the draft vectors (draft-connolly-cfrg-xwing-kem-10)', () => {
  it.each(vectors.map((vector, index) => ({ ...vector, index })))('vector $index: key generation, encapsulation with eseed, decapsulation', ({ seed, pk, eseed, ct, ss }) => {
    const pair = xwingKem.generateKeyPair(fromHex(seed));
    expect(toHex(pair.publicKey)).toBe(pk);
    const sealed = xwingKem.encapsulate(pair.publicKey, fromHex(eseed));
    expect(toHex(sealed.ciphertext)).toBe(ct);
    expect(toHex(sealed.sharedSecret)).toBe(ss);
    expect(toHex(xwingKem.decapsulate(pair.secretKey, fromHex(ct)))).toBe(ss);
  });
});

describe('X-Wing agrees with noble (ml_kem768_x25519)', () => {
  it('same public keys from the same seeds; each decapsulates what the other encapsulates', () => {
    for (let round = 0; round < 3; round++) {
      const seed = secureRandom(32);
      const ours = xwingKem.generateKeyPair(seed);
      expect(toHex(ours.publicKey)).toBe(toHex(ml_kem768_x25519.keygen(seed).publicKey));
      const fast = xwingKem.encapsulate(ours.publicKey);
      expect(toHex(ml_kem768_x25519.decapsulate(fast.ciphertext, seed))).toBe(toHex(fast.sharedSecret));
      const theirs = ml_kem768_x25519.encapsulate(ours.publicKey);
      expect(toHex(xwingKem.decapsulate(ours.secretKey, theirs.cipherText))).toBe(toHex(theirs.sharedSecret));
      const eseed = secureRandom(64);
      expect(toHex(xwingKem.encapsulate(ours.publicKey, eseed).ciphertext)).toBe(toHex(ml_kem768_x25519.encapsulate(ours.publicKey, eseed).cipherText));
    }
  });
});

describe('X-Wing refuses malformed input', () => {
  const pair = xwingKem.generateKeyPair();
  const { ciphertext, sharedSecret } = xwingKem.encapsulate(pair.publicKey);

  it('decapsulation: wrong lengths and a small-order X25519 part are DECRYPT_FAILED', async () => {
    await expectCode(() => xwingKem.decapsulate(pair.secretKey, ciphertext.subarray(1)), 'DECRYPT_FAILED');
    await expectCode(() => xwingKem.decapsulate(pair.secretKey, new Uint8Array([...ciphertext, 0])), 'DECRYPT_FAILED');
    await expectCode(() => xwingKem.decapsulate(pair.secretKey.subarray(32), ciphertext), 'DECRYPT_FAILED');
    const smallOrder = ciphertext.slice();
    smallOrder.set(SMALL_ORDER_POINT, 1088);
    await expectCode(() => xwingKem.decapsulate(pair.secretKey, smallOrder), 'DECRYPT_FAILED');
  });

  it('decapsulation of an altered ciphertext rejects implicitly: a different secret, no error', () => {
    for (const position of [0, 500, 1087, 1088, 1119]) {
      const altered = ciphertext.slice();
      altered[position] = (altered[position] ?? 0) ^ 0x40;
      const secret = xwingKem.decapsulate(pair.secretKey, altered);
      expect(secret).toHaveLength(32);
      expect(toHex(secret)).not.toBe(toHex(sharedSecret));
    }
  });

  it('encapsulation: a key of the wrong length, failing the ML-KEM modulus check, or with a small-order X25519 part is BAD_PREKEY', async () => {
    await expectCode(() => xwingKem.encapsulate(pair.publicKey.subarray(1)), 'BAD_PREKEY');
    // The first 12-bit coefficient set to 4095, above q = 3329.
    const unreduced = pair.publicKey.slice();
    unreduced[0] = 0xff;
    unreduced[1] = (unreduced[1] ?? 0) | 0x0f;
    await expectCode(() => xwingKem.encapsulate(unreduced), 'BAD_PREKEY');
    await expectCode(() => xwingKem.encapsulate(unreduced, secureRandom(64)), 'BAD_PREKEY');
    const smallOrder = pair.publicKey.slice();
    smallOrder.set(SMALL_ORDER_POINT, 1184);
    await expectCode(() => xwingKem.encapsulate(smallOrder), 'BAD_PREKEY');
  });
});
