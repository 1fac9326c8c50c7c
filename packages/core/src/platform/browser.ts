import { sha3_256, shake256 } from '@noble/hashes/sha3.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import lib from 'libsodium-wrappers-sumo';
import { OptionsError } from '../errors.js';
import { loadWasmSodium } from '../sodium/wasm.js';
import type { Platform } from './types.js';

// libsodium.js is the only libsodium a page has; its base64 codecs are used before any sodium call.
await lib.ready;

/** getRandomValues fills at most 65,536 bytes per call (Web Crypto's QuotaExceededError beyond). */
const MAX_RANDOM_CHUNK = 65_536;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function fillRandom(bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.length; offset += MAX_RANDOM_CHUNK) {
    // The cast: the DOM's typing refuses views that might sit on a SharedArrayBuffer; random bytes fill either alike.
    crypto.getRandomValues(bytes.subarray(offset, Math.min(bytes.length, offset + MAX_RANDOM_CHUNK)) as Uint8Array<ArrayBuffer>);
  }
}

/** Uniform in [min, max) by rejection sampling over 32-bit draws (no modulo bias). */
function randomInt(min: number, max: number): number {
  const range = max - min;
  if (!Number.isSafeInteger(range) || range <= 0 || range > 2 ** 32) throw new RangeError(`randomInt: bad range [${min}, ${max})`);
  const limit = 2 ** 32 - (2 ** 32 % range);
  const draw = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(draw);
    const value = draw[0] ?? 0;
    if (value < limit) return min + (value % range);
  }
}

function noFiles(): never {
  throw new OptionsError('files are not available in a browser: keep secrets in IndexedDB (@herald/store-indexeddb keys), export them as text with exportIdentity');
}

/** A web page: libsodium.js (WebAssembly), Web Crypto's CSPRNG, @noble/hashes' SHA-3, @noble/post-quantum's ML-KEM, no files (the Node twin is node.ts). */
export const platform: Platform = Object.freeze({
  name: 'browser',
  loadSodium: loadWasmSodium,
  loadMlKem768: async () => ({
    encapsulate(publicKey: Uint8Array) {
      const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey);
      return { ciphertext: cipherText, sharedSecret };
    },
    decapsulate: (ciphertext: Uint8Array, secretKey: Uint8Array) => ml_kem768.decapsulate(ciphertext, secretKey),
  }),
  fillRandom,
  randomInt,
  sha3_256: (parts: readonly Uint8Array[]) => {
    const hash = sha3_256.create();
    for (const part of parts) hash.update(part);
    return hash.digest();
  },
  shake256: (input: Uint8Array, outputLength: number) => shake256(input, { dkLen: outputLength }),
  isUtf8: (bytes: Uint8Array) => {
    try {
      strictUtf8.decode(bytes);
      return true;
    } catch {
      return false;
    }
  },
  toHex: bytesToHex,
  fromHex: hexToBytes,
  toBase64: (bytes: Uint8Array, url: boolean) => lib.to_base64(bytes, url ? lib.base64_variants.URLSAFE_NO_PADDING : lib.base64_variants.ORIGINAL),
  fromBase64: (text: string, url: boolean) => lib.from_base64(text, url ? lib.base64_variants.URLSAFE_NO_PADDING : lib.base64_variants.ORIGINAL_NO_PADDING),
  afterThisTurn: (task: () => void) => void setTimeout(task, 0),
  allowManyListeners: () => undefined,
  proxyFromEnvironment: () => '',
  readTextFile: async () => noFiles(),
  writeSecretTextFile: async () => noFiles(),
});
