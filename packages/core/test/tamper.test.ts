import { describe, expect, it } from 'vitest';
import { EnvelopeError, generateIdentity, open, seal, type Identity } from '@herald/core';
import { concatBytes, writeU32 } from '../src/bytes.js';
import { sodium } from '../src/sodium.js';
import { parseOuter } from '../src/envelope/format.js';
import { contentNonce, keyEncryptionKey, messageIdFromEphemeral } from '../src/envelope/keys.js';
import { expectCode } from './helpers.js';

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const carol = generateIdentity({ label: 'Carol' });

async function rejectionCode(envelope: Uint8Array, identity: Identity): Promise<string> {
  try {
    await open(envelope, { identity });
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError);
    return (error as EnvelopeError).code;
  }
  return 'ACCEPTED';
}

describe('tampering', () => {
  const cases: [string, Uint8Array, Identity][] = [
    ['one recipient, unpadded', seal('attack at dawn', { from: alice, to: bob.card, pad: false }), bob],
    ['two recipients, padded', seal('attack at dawn', { from: alice, to: [carol.card, bob.card] }), bob],
  ];
  for (const [name, envelope, identity] of cases) {
    it(`refuses every single-bit flip (${name})`, async () => {
      expect(await rejectionCode(envelope, identity)).toBe('ACCEPTED');
      const codes = new Map<string, number>();
      for (let bit = 0; bit < envelope.length * 8; bit++) {
        const flipped = envelope.slice();
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        const code = await rejectionCode(flipped, identity);
        expect(code, `bit ${bit}`).not.toBe('ACCEPTED');
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      expect([...codes.keys()]).toEqual(expect.arrayContaining(['UNSUPPORTED_VERSION', 'NOT_FOR_ME', 'DECRYPT_FAILED']));
    });

    it(`refuses every truncation and appended bytes (${name})`, async () => {
      for (let length = 0; length < envelope.length; length++) {
        expect(await rejectionCode(envelope.subarray(0, length), identity), `length ${length}`).not.toBe('ACCEPTED');
      }
      for (const extra of [Uint8Array.of(0), Uint8Array.of(0x80), new Uint8Array(16)]) {
        expect(await rejectionCode(concatBytes([envelope, extra]), identity)).not.toBe('ACCEPTED');
      }
    });
  }

  it('a recipient cannot re-seal a signed message to a third party (no surreptitious forwarding)', async () => {
    const original = seal('for Bob only', { from: alice, to: bob.card, pad: false });
    // Bob decrypts the inner part, which holds Alice's signature, and wraps it in a fresh outer envelope for Carol.
    const outer = parseOuter(original);
    const bobShared = sodium.crypto_scalarmult(bob.agreementSecretKey, outer.ephemeralPublicKey);
    const bobKey = keyEncryptionKey(bobShared, outer.ephemeralPublicKey, bob.card.agreementPublicKey);
    const inner = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, outer.ciphertext, outer.header, contentNonce(messageIdFromEphemeral(outer.ephemeralPublicKey)), bobKey);

    const ephemeralSecret = sodium.crypto_scalarmult_base(new Uint8Array(32).fill(7)).slice();
    const ephemeralPublicKey = sodium.crypto_scalarmult_base(ephemeralSecret);
    const header = new Uint8Array(38 + 16);
    header[0] = 1;
    writeU32(header, 1, outer.expiresSeconds);
    header.set(ephemeralPublicKey, 5);
    header[37] = 1;
    header.set(carol.card.routingTag, 38);
    const carolKey = keyEncryptionKey(sodium.crypto_scalarmult(ephemeralSecret, carol.card.agreementPublicKey), ephemeralPublicKey, carol.card.agreementPublicKey);
    const forged = concatBytes([header, sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(inner, header, null, contentNonce(messageIdFromEphemeral(ephemeralPublicKey)), carolKey)]);

    await expectCode(open(forged, { identity: carol }), 'BAD_SIGNATURE');
  });
});
