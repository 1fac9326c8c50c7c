import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { fromHex, toHex } from '../../src/bytes.js';
import { mlKemDecapsulate, mlKemEncapsulate, mlKemKeyPair } from '../../src/prekey/ml-kem.js';
import { secureRandom } from '../../src/random.js';

interface Vectors {
  keyGen: { cases: { d: string; z: string; ek: string; dkTail: string }[] };
  encapsDecaps: { cases: { name: string; ek: string; dk: string; m: string; c: string; K: string }[] };
  implicitRejection: { cases: { name: string; dk: string; c: string; K: string }[] };
}
const vectors = JSON.parse(readFileSync(new URL('../vectors/ml-kem-768.json', import.meta.url), 'utf8')) as Vectors;

describe('ML-KEM-768 against the official vectors', () => {
  it.each(vectors.keyGen.cases)('NIST ACVP key generation (d, z) gives ek and dk', ({ d, z, ek, dkTail }) => {
    const pair = mlKemKeyPair(fromHex(d), fromHex(z));
    expect(toHex(pair.publicKey)).toBe(ek);
    expect(toHex(pair.secretKey.subarray(1152, 1152 + 1184))).toBe(ek);
    expect(toHex(pair.secretKey.subarray(2400 - 64))).toBe(dkTail);
  });

  it.each(vectors.encapsDecaps.cases)('CCTV $name: encapsulation with m gives c and K; both libraries decapsulate c to K', ({ ek, dk, m, c, K }) => {
    const sealed = mlKemEncapsulate(fromHex(ek), fromHex(m));
    expect(toHex(sealed.ciphertext)).toBe(c);
    expect(toHex(sealed.sharedSecret)).toBe(K);
    expect(toHex(mlKemDecapsulate(fromHex(dk), fromHex(c)))).toBe(K);
    expect(toHex(ml_kem768.decapsulate(fromHex(c), fromHex(dk)))).toBe(K);
  });

  it.each(vectors.implicitRejection.cases)('CCTV $name: an invalid ciphertext is rejected implicitly, to J(z ‖ c)', ({ dk, c, K }) => {
    expect(toHex(mlKemDecapsulate(fromHex(dk), fromHex(c)))).toBe(K);
  });
});

describe('ML-KEM-768: liboqs and noble agree', () => {
  it('on random keys, both ways: liboqs encapsulates to noble keys and noble decapsulates, and the reverse', () => {
    for (let round = 0; round < 5; round++) {
      const seed = secureRandom(64);
      const pair = mlKemKeyPair(seed.subarray(0, 32), seed.subarray(32));
      const noblePair = ml_kem768.keygen(seed);
      expect(toHex(pair.publicKey)).toBe(toHex(noblePair.publicKey));
      const fast = mlKemEncapsulate(pair.publicKey);
      expect(toHex(ml_kem768.decapsulate(fast.ciphertext, noblePair.secretKey))).toBe(toHex(fast.sharedSecret));
      const slow = ml_kem768.encapsulate(noblePair.publicKey);
      expect(toHex(mlKemDecapsulate(pair.secretKey, slow.cipherText))).toBe(toHex(slow.sharedSecret));
      // Implicit rejection agrees too: one flipped bit gives the same unrelated secret in both.
      const forged = fast.ciphertext.slice();
      forged[round * 7] = (forged[round * 7] ?? 0) ^ 1;
      const rejected = mlKemDecapsulate(pair.secretKey, forged);
      expect(toHex(rejected)).not.toBe(toHex(fast.sharedSecret));
      expect(toHex(rejected)).toBe(toHex(ml_kem768.decapsulate(forged, noblePair.secretKey)));
    }
  });
});
