/**
 * The two libsodium backends core can run on (native sodium-native, WASM
 * libsodium.js) must give the same bytes for the same inputs, refuse the same
 * inputs, and open each other's envelopes: a node may run on either.
 */
import { describe, expect, it, vi } from 'vitest';
import { fromHex, toHex } from '../src/bytes.js';
import type { Sodium } from '../src/sodium/api.js';
import { loadNativeSodium } from '../src/sodium/native.js';
import { loadWasmSodium } from '../src/sodium/wasm.js';
import { bytesOf } from './helpers.js';

const native = loadNativeSodium();
const wasm = await loadWasmSodium();
const backends: readonly Sodium[] = [native, wasm];

/** Runs `call` on both backends and returns the (equal) result in hex. */
function same(call: (sodium: Sodium) => Uint8Array): string {
  const [a, b] = backends.map((sodium) => toHex(call(sodium)));
  expect(a).toBe(b);
  return a!;
}

// RFC 7748 §6.1 (X25519) and RFC 8032 §7.1 test 1 (Ed25519).
const RFC7748 = {
  aliceSecret: fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
  alicePublic: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
  bobPublic: fromHex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'),
  shared: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
};
const RFC8032 = {
  seed: fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};
// A point of order 8 on Curve25519: every shared secret with it is all-zero, which libsodium refuses.
const SMALL_ORDER_POINT = fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800');

describe('libsodium backends give the same bytes', () => {
  it('reports which backend each is', () => {
    expect(native.backend).toBe('native');
    expect(wasm.backend).toBe('wasm');
  });

  it('X25519: base point and agreement, RFC 7748', () => {
    expect(same((s) => s.crypto_scalarmult_base(RFC7748.aliceSecret))).toBe(RFC7748.alicePublic);
    expect(same((s) => s.crypto_scalarmult(RFC7748.aliceSecret, RFC7748.bobPublic))).toBe(RFC7748.shared);
    const secret = bytesOf(32, 7);
    same((s) => s.crypto_scalarmult(secret, s.crypto_scalarmult_base(bytesOf(32, 8))));
  });

  it('X25519: both refuse a small-order point and a short key', () => {
    for (const sodium of backends) {
      expect(() => sodium.crypto_scalarmult(bytesOf(32, 3), SMALL_ORDER_POINT), sodium.backend).toThrow();
      expect(() => sodium.crypto_scalarmult(bytesOf(32, 3), new Uint8Array(31)), sodium.backend).toThrow();
    }
  });

  it('Ed25519: key pair from a seed and a detached signature, RFC 8032', () => {
    expect(same((s) => s.crypto_sign_seed_keypair(RFC8032.seed).publicKey)).toBe(RFC8032.publicKey);
    const secretKey = same((s) => s.crypto_sign_seed_keypair(RFC8032.seed).privateKey);
    expect(same((s) => s.crypto_sign_detached(new Uint8Array(0), fromHex(secretKey)))).toBe(RFC8032.signature);
    same((s) => s.crypto_sign_detached(bytesOf(1000, 2), fromHex(secretKey)));
  });

  it('Ed25519: both verify the same signatures and refuse the same ones', () => {
    const { publicKey, privateKey } = native.crypto_sign_seed_keypair(bytesOf(32, 4));
    const message = bytesOf(300, 5);
    const signature = wasm.crypto_sign_detached(message, privateKey);
    const flippedMessage = message.slice();
    flippedMessage[17]! ^= 0x01;
    const flippedSignature = signature.slice();
    flippedSignature[40]! ^= 0x80;
    const otherKey = wasm.crypto_sign_seed_keypair(bytesOf(32, 6)).publicKey;
    for (const sodium of backends) {
      expect(sodium.crypto_sign_verify_detached(signature, message, publicKey), sodium.backend).toBe(true);
      expect(sodium.crypto_sign_verify_detached(signature, flippedMessage, publicKey), sodium.backend).toBe(false);
      expect(sodium.crypto_sign_verify_detached(flippedSignature, message, publicKey), sodium.backend).toBe(false);
      expect(sodium.crypto_sign_verify_detached(signature, message, otherKey), sodium.backend).toBe(false);
      // sodium-native alone would read the first 64 bytes of a longer signature and accept it.
      expect(() => sodium.crypto_sign_verify_detached(Uint8Array.of(...signature, 0), message, publicKey), sodium.backend).toThrow();
      expect(() => sodium.crypto_sign_verify_detached(signature.subarray(0, 63), message, publicKey), sodium.backend).toThrow();
    }
  });

  it('BLAKE2b: keyed and unkeyed, 16 and 32 bytes, from a subarray', () => {
    const input = bytesOf(200, 9);
    const key = bytesOf(32, 10);
    const results = new Set<string>();
    for (const size of [16, 32]) {
      results.add(same((s) => s.crypto_generichash(size, input, null)));
      results.add(same((s) => s.crypto_generichash(size, input, key)));
      results.add(same((s) => s.crypto_generichash(size, input.subarray(13, 77), key.subarray(0, 16))));
    }
    expect(results.size).toBe(6);
    // BLAKE2b-256 of the empty string (RFC 7693 parameters, unkeyed).
    expect(same((s) => s.crypto_generichash(32, new Uint8Array(0), null))).toBe('0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
  });

  it('XChaCha20-Poly1305: same ciphertext, each opens the other, both refuse a tampered one', () => {
    const key = bytesOf(32, 11);
    const nonce = bytesOf(24, 12);
    const additional = bytesOf(60, 13);
    for (const length of [0, 1, 1024]) {
      const message = bytesOf(length, 14);
      const ciphertext = fromHex(same((s) => s.crypto_aead_xchacha20poly1305_ietf_encrypt(message, additional, null, nonce, key)));
      expect(ciphertext.length).toBe(length + 16);
      expect(same((s) => s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, additional, nonce, key))).toBe(toHex(message));
      same((s) => s.crypto_aead_xchacha20poly1305_ietf_encrypt(message, null, null, nonce, key));
      const tampered = ciphertext.slice();
      tampered[tampered.length - 1]! ^= 0x01;
      const otherAdditional = additional.slice();
      otherAdditional[0]! ^= 0x01;
      for (const sodium of backends) {
        expect(() => sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, tampered, additional, nonce, key), sodium.backend).toThrow();
        expect(() => sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, otherAdditional, nonce, key), sodium.backend).toThrow();
        expect(() => sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext.subarray(0, 15), additional, nonce, key), sodium.backend).toThrow();
      }
    }
  });

  it('memcmp: equal and unequal', () => {
    for (const sodium of backends) {
      expect(sodium.memcmp(bytesOf(16, 15), bytesOf(16, 15)), sodium.backend).toBe(true);
      expect(sodium.memcmp(bytesOf(16, 15), bytesOf(16, 16)), sodium.backend).toBe(false);
    }
  });

  it('Argon2id: same key from a string or its UTF-8 bytes, at the minimum limits; same constants', () => {
    for (const name of ['ALG_ARGON2ID13', 'OPSLIMIT_MIN', 'OPSLIMIT_INTERACTIVE', 'OPSLIMIT_MODERATE', 'OPSLIMIT_SENSITIVE', 'MEMLIMIT_MIN', 'MEMLIMIT_INTERACTIVE', 'MEMLIMIT_MODERATE', 'MEMLIMIT_SENSITIVE'] as const) {
      expect(native[`crypto_pwhash_${name}`], name).toBe(wasm[`crypto_pwhash_${name}`]);
    }
    const salt = bytesOf(16, 17);
    const derive = (passphrase: string | Uint8Array) => (s: Sodium) => s.crypto_pwhash(32, passphrase, salt, s.crypto_pwhash_OPSLIMIT_MIN, s.crypto_pwhash_MEMLIMIT_MIN, s.crypto_pwhash_ALG_ARGON2ID13);
    const fromString = same(derive('correct horse — battery'));
    expect(same(derive(new TextEncoder().encode('correct horse — battery')))).toBe(fromString);
    expect(same(derive('correct horse — battery!'))).not.toBe(fromString);
  });
});

describe('envelopes cross between backends', () => {
  it('an envelope sealed on one opens on the other, both ways', async () => {
    vi.stubEnv('HERALD_SODIUM', 'native');
    const onNative = await import('../src/index.js');
    vi.resetModules();
    vi.stubEnv('HERALD_SODIUM', 'wasm');
    const onWasm = await import('../src/index.js');
    vi.unstubAllEnvs();
    expect(onNative.sodiumBackend()).toBe('native');
    expect(onWasm.sodiumBackend()).toBe('wasm');

    const alice = onNative.generateIdentity({ label: 'Alice' });
    const bob = onWasm.generateIdentity({ label: 'Bob' });
    const carol = onNative.generateIdentity({ label: 'Carol' });
    for (const [from, to] of [[onNative, onWasm], [onWasm, onNative]] as const) {
      const plaintext = bytesOf(1500, 18);
      const envelope = from.seal(plaintext, { from: alice, to: [carol.card, bob.card], contentType: 'application/octet-stream' });
      const opened = await to.open(envelope, { identity: bob, contacts: [alice.card], requireKnownSender: true });
      expect(toHex(opened.plaintext)).toBe(toHex(plaintext));
      expect(opened.sender.fingerprint).toBe(alice.card.fingerprint);
      const compact = from.seal('hello', { from: bob, to: alice.card, sender: 'keyId', compactText: true });
      expect(new TextDecoder().decode((await to.open(compact, { identity: alice, contacts: [bob.card] })).plaintext)).toBe('hello');
      const tampered = envelope.slice();
      tampered[tampered.length - 1]! ^= 0x01;
      await expect(to.open(tampered, { identity: bob })).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
    }
  });
});

describe('choosing a backend', () => {
  /** Imports core's sodium module afresh with HERALD_SODIUM set to `forced`, and the native binding failing to load if `nativeFails`. */
  async function load(forced: string | undefined, nativeFails: boolean): Promise<typeof import('../src/sodium.js')> {
    vi.resetModules();
    if (nativeFails) {
      vi.doMock('../src/sodium/native.js', () => ({
        loadNativeSodium: () => {
          throw new Error('No native build was found for platform=test');
        },
      }));
    }
    vi.stubEnv('HERALD_SODIUM', forced);
    try {
      return await import('../src/sodium.js');
    } finally {
      vi.unstubAllEnvs();
      vi.doUnmock('../src/sodium/native.js');
    }
  }

  it('takes native libsodium when it loads, libsodium.js when it does not', async () => {
    expect((await load(undefined, false)).sodiumBackend()).toBe('native');
    expect((await load('', false)).sodiumBackend()).toBe('native');
    expect((await load(undefined, true)).sodiumBackend()).toBe('wasm');
  });

  it('HERALD_SODIUM forces one; forcing native where it cannot load fails at once, saying why', async () => {
    expect((await load('wasm', false)).sodiumBackend()).toBe('wasm');
    expect((await load('native', false)).sodiumBackend()).toBe('native');
    await expect(load('native', true)).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: expect.stringMatching(/HERALD_SODIUM=native: .*No native build was found/) });
    await expect(load('fast', false)).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: 'HERALD_SODIUM: expected native or wasm, got "fast"' });
  });
});
