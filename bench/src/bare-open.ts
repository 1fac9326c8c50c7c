import { createRequire } from 'node:module';
import sodium from 'libsodium-wrappers-sumo';
import { sodiumBackend, type Identity } from '@herald/core';

/**
 * A one-recipient, key-form Herald envelope opened with bare libsodium calls
 * (docs/protocol.md sections 7.2–7.7): one X25519, the id and KEK hashes, one
 * XChaCha20-Poly1305 decryption and one Ed25519 verification, with none of
 * `open`'s parsing, checks or allocations around them. It is the cryptographic
 * work any opener must do, the floor a baseline for Herald's node is built on.
 * Same libsodium build as core's (see sodium-work.ts).
 */
interface SodiumNative {
  crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
  crypto_generichash(output: Uint8Array, input: Uint8Array, key?: Uint8Array): void;
  crypto_aead_xchacha20poly1305_ietf_decrypt(m: Uint8Array, nsec: null, c: Uint8Array, ad: Uint8Array | null, npub: Uint8Array, k: Uint8Array): number;
  crypto_sign_verify_detached(sig: Uint8Array, m: Uint8Array, pk: Uint8Array): boolean;
}

const native = sodiumBackend() === 'native' ? (createRequire(import.meta.url)('sodium-native') as SodiumNative) : undefined;
if (!native) await sodium.ready;

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const MESSAGE_ID = text('herald/v1/message-id');
const KEK = text('herald/v1/kek');
const SIGNATURE = text('herald/v1/envelope-signature');
const HEADER_BYTES = 54; // n = 1: version, expires, E, n, one routing tag
const SENDER_AT = 2; // after meta and a one-byte content type code
const BODY_AT = SENDER_AT + 32 + 4 + 64;

function x25519(secret: Uint8Array, point: Uint8Array): Uint8Array {
  if (!native) return sodium.crypto_scalarmult(secret, point);
  const out = new Uint8Array(32);
  native.crypto_scalarmult(out, secret, point);
  return out;
}

function blake2b(length: number, message: Uint8Array, key: Uint8Array): Uint8Array {
  if (!native) return sodium.crypto_generichash(length, message, key);
  const out = new Uint8Array(length);
  native.crypto_generichash(out, message, key);
  return out;
}

function decrypt(ciphertext: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  if (!native) return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonce, key);
  const out = new Uint8Array(ciphertext.length - 16);
  native.crypto_aead_xchacha20poly1305_ietf_decrypt(out, null, ciphertext, ad, nonce, key);
  return out;
}

/** Opens and verifies `envelope` (one recipient, key form, registered content type) for `recipient`; returns the id and body. Throws if it does not open. */
export function bareSodiumOpen(envelope: Uint8Array, recipient: Identity, senderSigningKey: Uint8Array): { id: Uint8Array; body: Uint8Array } {
  const header = envelope.subarray(0, HEADER_BYTES);
  const ephemeral = envelope.subarray(5, 37);
  const shared = x25519(recipient.agreementSecretKey, ephemeral);
  const id = blake2b(16, ephemeral, MESSAGE_ID);
  const kek = blake2b(32, Buffer.concat([KEK, ephemeral, recipient.card.agreementPublicKey]), shared);
  const nonce = new Uint8Array(24);
  nonce.set(id);
  const inner = decrypt(envelope.subarray(HEADER_BYTES), header, nonce, kek);
  const signed = Buffer.concat([SIGNATURE, header, inner.subarray(0, SENDER_AT), senderSigningKey, inner.subarray(SENDER_AT + 32, SENDER_AT + 36), inner.subarray(BODY_AT)]);
  const valid = native
    ? native.crypto_sign_verify_detached(inner.subarray(SENDER_AT + 36, BODY_AT), signed, senderSigningKey)
    : sodium.crypto_sign_verify_detached(inner.subarray(SENDER_AT + 36, BODY_AT), signed, senderSigningKey);
  if (!valid) throw new Error('bare open: the signature does not verify');
  return { id, body: inner.subarray(BODY_AT) };
}
