import { createHash, randomFillSync } from 'node:crypto';
import wasm from 'libsodium-wrappers-sumo';
import { createMLKEM768 } from '@oqs/liboqs-js/kem';
import type { Identity } from '@herald/core';
import { native, type SodiumNative } from './sodium-work.js';

/**
 * The bare primitive work of one v2 seal and open to one recipient, for
 * bench:core's v2 rows: what Herald's code calls, made straight on libsodium,
 * liboqs' ML-KEM-768 and node's SHA3 (X-Wing's combiner), without Herald's
 * parsing, copying and checks. Same work: one prekey encapsulation and
 * decapsulation (x25519 KEM: X25519 twice with BLAKE2b, and the public key
 * recomputed at decapsulation as core's KEM does; X-Wing: ML-KEM-768 and
 * X25519 with the SHA3-256 combiner), X25519 with the identity key both ways,
 * BLAKE2b over the header for the key, Ed25519 verify of the prekey, Ed25519 sign
 * and verify, XChaCha20-Poly1305 both ways.
 */
/** The libsodium calls used below, on the build core runs on (see sodium-work.ts), so the ratio measures Herald and not two builds. */
function nativeCalls(lib: SodiumNative) {
  const out = (length: number, fill: (output: Uint8Array) => unknown): Uint8Array => {
    const output = new Uint8Array(length);
    fill(output);
    return output;
  };
  return {
    crypto_scalarmult_base: (n: Uint8Array) => out(32, (q) => lib.crypto_scalarmult_base(q, n)),
    crypto_scalarmult: (n: Uint8Array, p: Uint8Array) => out(32, (q) => lib.crypto_scalarmult(q, n, p)),
    crypto_generichash: (length: number, message: Uint8Array, key: Uint8Array | null) => out(length, (h) => lib.crypto_generichash(h, message, key ?? undefined)),
    crypto_sign_detached: (message: Uint8Array, secretKey: Uint8Array) => out(64, (sig) => lib.crypto_sign_detached(sig, message, secretKey)),
    crypto_sign_verify_detached: (sig: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => lib.crypto_sign_verify_detached(sig, message, publicKey),
    crypto_aead_xchacha20poly1305_ietf_encrypt: (message: Uint8Array, ad: Uint8Array, _nsec: null, npub: Uint8Array, key: Uint8Array) =>
      out(message.length + 16, (c) => lib.crypto_aead_xchacha20poly1305_ietf_encrypt(c, message, ad, null, npub, key)),
    crypto_aead_xchacha20poly1305_ietf_decrypt: (_nsec: null, c: Uint8Array, ad: Uint8Array, npub: Uint8Array, key: Uint8Array) =>
      out(c.length - 16, (m) => lib.crypto_aead_xchacha20poly1305_ietf_decrypt(m, null, c, ad, npub, key)),
  };
}

await wasm.ready;
const sodium = native ? nativeCalls(native) : wasm;
const mlKem = await createMLKEM768();
const XWING_LABEL = Uint8Array.of(0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c);
const nonce = new Uint8Array(24);

export interface BarePrekey {
  readonly kind: 'xwing' | 'x25519';
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
  /** The owner's Ed25519 signature over a message as long as a signed prekey's (domain, owner key, fields, key), checked at every seal as Herald does. */
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
}

/** A prekey for the baseline: X-Wing as ML-KEM-768 ‖ X25519 (expanded secret: sk_M ‖ sk_X ‖ pk_X), or a bare X25519 pair. */
export function barePrekey(kind: BarePrekey['kind'], owner: Identity): BarePrekey {
  const secretX = randomFillSync(new Uint8Array(32));
  const publicX = sodium.crypto_scalarmult_base(secretX);
  const pair = kind === 'xwing' ? mlKem.generateKeyPair() : undefined;
  const publicKey = pair ? join([pair.publicKey, publicX]) : publicX;
  const signed = randomFillSync(new Uint8Array(64 + publicKey.length));
  const keys = pair ? { publicKey, secretKey: join([pair.secretKey, secretX, publicX]) } : { publicKey, secretKey: secretX };
  return { kind, ...keys, signed, signature: sodium.crypto_sign_detached(signed, owner.signingSecretKey) };
}

/** A copy as a plain Uint8Array (liboqs is handed parts of these). */
const join = (parts: readonly Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

const sha3 = (...parts: Uint8Array[]): Uint8Array => {
  const hash = createHash('sha3-256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

function encapsulate(prekey: BarePrekey): { ciphertext: Uint8Array; secret: Uint8Array } {
  const ephemeral = randomFillSync(new Uint8Array(32));
  const publicX = prekey.kind === 'x25519' ? prekey.publicKey : prekey.publicKey.subarray(1184);
  const ciphertextX = sodium.crypto_scalarmult_base(ephemeral);
  const sharedX = sodium.crypto_scalarmult(ephemeral, publicX);
  if (prekey.kind === 'x25519') return { ciphertext: ciphertextX, secret: sodium.crypto_generichash(32, join([sharedX, ciphertextX, publicX]), null) };
  const m = mlKem.encapsulate(prekey.publicKey.subarray(0, 1184));
  return { ciphertext: join([m.ciphertext, ciphertextX]), secret: sha3(m.sharedSecret, sharedX, ciphertextX, publicX, XWING_LABEL) };
}

function decapsulate(prekey: BarePrekey, ciphertext: Uint8Array): Uint8Array {
  if (prekey.kind === 'x25519') {
    const shared = sodium.crypto_scalarmult(prekey.secretKey, ciphertext);
    return sodium.crypto_generichash(32, join([shared, ciphertext, sodium.crypto_scalarmult_base(prekey.secretKey)]), null);
  }
  const ciphertextX = ciphertext.subarray(1088);
  const sharedM = mlKem.decapsulate(ciphertext.subarray(0, 1088), prekey.secretKey.subarray(0, 2400));
  const sharedX = sodium.crypto_scalarmult(prekey.secretKey.subarray(2400, 2432), ciphertextX);
  return sha3(sharedM, sharedX, ciphertextX, prekey.secretKey.subarray(2432), XWING_LABEL);
}

/** One seal and one open's primitive work, to `bob` under `prekey`. */
export function bareV2RoundTrip(message: Uint8Array, alice: Identity, bob: Identity, prekey: BarePrekey): void {
  if (!sodium.crypto_sign_verify_detached(prekey.signature, prekey.signed, bob.card.signingPublicKey)) throw new Error('prekey verify failed');
  const e = randomFillSync(new Uint8Array(32));
  const ephemeral = sodium.crypto_scalarmult_base(e);
  const sealed = encapsulate(prekey);
  const header = join([ephemeral, sealed.ciphertext]);
  const sealKey = sodium.crypto_generichash(32, header, join([sealed.secret, sodium.crypto_scalarmult(e, bob.card.agreementPublicKey)]));
  const signature = sodium.crypto_sign_detached(join([header, message]), alice.signingSecretKey);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(join([signature, message]), header, null, nonce, sealKey);

  const opened = decapsulate(prekey, sealed.ciphertext);
  const openKey = sodium.crypto_generichash(32, header, join([opened, sodium.crypto_scalarmult(bob.agreementSecretKey, ephemeral)]));
  const inner = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, header, nonce, openKey);
  if (!sodium.crypto_sign_verify_detached(inner.subarray(0, 64), join([header, inner.subarray(64)]), alice.card.signingPublicKey)) throw new Error('verify failed');
}
