import { describe, expect, it } from 'vitest';
import { x25519 } from '@noble/curves/ed25519.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { fromHex, toHex, utf8 } from '../../src/bytes.js';
import { x25519Kem } from '../../src/prekey/x25519-kem.js';
import { expectCode } from '../helpers.js';

/** The order-8 point of Curve25519 (and the zero point): X25519 with either gives an all-zero output. */
const SMALL_ORDER_POINTS = [new Uint8Array(32), fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800')];

describe('x25519 KEM', () => {
  it('decapsulates to the shared secret the sender encapsulated', () => {
    const recipient = x25519Kem.generateKeyPair();
    const { ciphertext, sharedSecret } = x25519Kem.encapsulate(recipient.publicKey);
    expect(ciphertext).toHaveLength(x25519Kem.ciphertextBytes);
    expect(sharedSecret).toHaveLength(32);
    expect(toHex(x25519Kem.decapsulate(recipient.secretKey, ciphertext))).toBe(toHex(sharedSecret));
    expect(toHex(x25519Kem.decapsulate(x25519Kem.generateKeyPair().secretKey, ciphertext))).not.toBe(toHex(sharedSecret));
  });

  it('matches an independent X25519 and keyed BLAKE2b (noble): BLAKE2b-256_{domain}(dh ‖ ephemeral pk ‖ recipient pk)', () => {
    const seed = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const randomness = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    const recipient = x25519Kem.generateKeyPair(seed);
    expect(toHex(recipient.secretKey)).toBe(toHex(seed));
    expect(toHex(recipient.publicKey)).toBe(toHex(x25519.getPublicKey(seed)));
    const { ciphertext, sharedSecret } = x25519Kem.encapsulate(recipient.publicKey, randomness);
    expect(toHex(ciphertext)).toBe(toHex(x25519.getPublicKey(randomness)));
    const dh = x25519.getSharedSecret(randomness, recipient.publicKey);
    const expected = blake2b(new Uint8Array([...dh, ...ciphertext, ...recipient.publicKey]), { key: utf8('herald/v2/x25519-kem'), dkLen: 32 });
    expect(toHex(sharedSecret)).toBe(toHex(expected));
  });

  it('refuses a small-order prekey and a small-order ciphertext (all-zero agreement)', async () => {
    const recipient = x25519Kem.generateKeyPair();
    for (const point of SMALL_ORDER_POINTS) {
      await expectCode(() => x25519Kem.encapsulate(point), 'BAD_PREKEY');
      await expectCode(() => x25519Kem.decapsulate(recipient.secretKey, point), 'DECRYPT_FAILED');
    }
  });

  it('refuses keys and ciphertexts of the wrong length with typed errors', async () => {
    const recipient = x25519Kem.generateKeyPair();
    const { ciphertext } = x25519Kem.encapsulate(recipient.publicKey);
    await expectCode(() => x25519Kem.encapsulate(recipient.publicKey.subarray(0, 31)), 'BAD_PREKEY');
    await expectCode(() => x25519Kem.decapsulate(recipient.secretKey, ciphertext.subarray(0, 31)), 'DECRYPT_FAILED');
    await expectCode(() => x25519Kem.decapsulate(recipient.secretKey, new Uint8Array([...ciphertext, 0])), 'DECRYPT_FAILED');
    await expectCode(() => x25519Kem.decapsulate(recipient.secretKey.subarray(1), ciphertext), 'DECRYPT_FAILED');
    expect(() => x25519Kem.generateKeyPair(new Uint8Array(31))).toThrow(TypeError);
  });
});
