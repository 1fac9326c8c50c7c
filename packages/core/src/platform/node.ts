/// <reference path="../types/proxy-from-env.d.ts" />
import { isUtf8 } from 'node:buffer';
import { createHash, randomFillSync, randomInt } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { open as openFile, readFile } from 'node:fs/promises';
// The KEM entry point only: the package's root also loads every signature scheme's wrapper.
import { createMLKEM768 } from '@oqs/liboqs-js/kem';
import { getProxyForUrl } from 'proxy-from-env';
import { OptionsError } from '../errors.js';
import type { Sodium } from '../sodium/api.js';
import { loadNativeSodium } from '../sodium/native.js';
import { loadWasmSodium } from '../sodium/wasm.js';
import type { Platform } from './types.js';

/**
 * Native libsodium (sodium-native) when its prebuilt binding loads, else
 * libsodium.js; `HERALD_SODIUM=native` or `=wasm` forces one. Both are the same
 * library and give the same bytes, so envelopes cross freely between them.
 */
async function loadSodium(): Promise<Sodium> {
  const forced = process.env.HERALD_SODIUM;
  if (forced === 'wasm') return loadWasmSodium();
  if (forced === 'native') {
    try {
      return loadNativeSodium();
    } catch (cause) {
      throw new OptionsError(`HERALD_SODIUM=native: sodium-native's prebuilt binding did not load on ${process.platform}-${process.arch} (${(cause as Error).message}); unset HERALD_SODIUM to fall back to libsodium.js`, { cause });
    }
  }
  if (forced !== undefined && forced !== '') throw new OptionsError(`HERALD_SODIUM: expected native or wasm, got ${JSON.stringify(forced)}`);
  try {
    return loadNativeSodium();
  } catch {
    return loadWasmSodium();
  }
}

function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Node: native libsodium, OpenSSL's CSPRNG and SHA-3, Buffer's codecs, real files (the browser twin is browser.ts). */
export const platform: Platform = Object.freeze({
  name: 'node',
  loadSodium,
  loadMlKem768: createMLKEM768,
  fillRandom: (bytes: Uint8Array) => void randomFillSync(bytes),
  randomInt,
  sha3_256: (parts: readonly Uint8Array[]) => {
    const hash = createHash('sha3-256');
    for (const part of parts) hash.update(part);
    return new Uint8Array(hash.digest());
  },
  shake256: (input: Uint8Array, outputLength: number) => new Uint8Array(createHash('shake256', { outputLength }).update(input).digest()),
  isUtf8: (bytes: Uint8Array) => isUtf8(bytes),
  toHex: (bytes: Uint8Array) => view(bytes).toString('hex'),
  fromHex: (hex: string) => new Uint8Array(Buffer.from(hex, 'hex')),
  toBase64: (bytes: Uint8Array, url: boolean) => view(bytes).toString(url ? 'base64url' : 'base64'),
  fromBase64: (text: string, url: boolean) => new Uint8Array(Buffer.from(text, url ? 'base64url' : 'base64')),
  afterThisTurn: (task: () => void) => void setImmediate(task),
  allowManyListeners: (signal: AbortSignal) => setMaxListeners(0, signal),
  proxyFromEnvironment: (url: string) => getProxyForUrl(url),
  readTextFile: (path: string) => readFile(path, 'utf8'),
  async writeSecretTextFile(path: string, text: string, overwrite: boolean) {
    const handle = await openFile(path, overwrite ? 'w' : 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
});
