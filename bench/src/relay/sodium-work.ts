import { randomFillSync } from 'node:crypto';
import sodium from 'libsodium-wrappers-sumo';
import type { Identity } from '@herald/core';

await sodium.ready;

const nonce = new Uint8Array(24);
const seed = new Uint8Array(32);

/** The primitive work of one seal and one open (as bench:core's baseline): X25519 twice, BLAKE2b, XChaCha20-Poly1305 both ways, Ed25519 sign and verify. */
export function bareSodiumRoundTrip(message: Uint8Array, alice: Identity, bob: Identity): void {
  randomFillSync(seed);
  const ephemeralPublic = sodium.crypto_scalarmult_base(seed);
  const key = sodium.crypto_generichash(32, ephemeralPublic, sodium.crypto_scalarmult(seed, bob.card.agreementPublicKey));
  const signature = sodium.crypto_sign_detached(message, alice.signingSecretKey);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(message, ephemeralPublic, null, nonce, key);
  const receiverKey = sodium.crypto_generichash(32, ephemeralPublic, sodium.crypto_scalarmult(bob.agreementSecretKey, ephemeralPublic));
  const plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, ephemeralPublic, nonce, receiverKey);
  if (!sodium.crypto_sign_verify_detached(signature, plaintext, alice.card.signingPublicKey)) throw new Error('verify failed');
}
