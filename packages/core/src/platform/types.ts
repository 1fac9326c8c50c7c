import type { Sodium } from '../sodium/api.js';

/**
 * What core needs from its host beyond ECMAScript: the seam between Node and a
 * web page. `#platform` (package.json `imports`) resolves to node.ts under Node
 * and to browser.ts under the `browser` condition (bundlers set it for web builds).
 */
/** ML-KEM-768 encapsulation with fresh randomness and decapsulation: the hot path (prekey/ml-kem.ts). */
export interface MlKem768 {
  encapsulate(publicKey: Uint8Array): { ciphertext: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

export interface Platform {
  readonly name: 'node' | 'browser';
  loadSodium(): Promise<Sodium>;
  loadMlKem768(): Promise<MlKem768>;
  /** Fills `bytes` from the host's CSPRNG. */
  fillRandom(bytes: Uint8Array): void;
  /** A uniform integer in [min, max) from the host's CSPRNG. */
  randomInt(min: number, max: number): number;
  sha3_256(parts: readonly Uint8Array[]): Uint8Array;
  shake256(input: Uint8Array, outputLength: number): Uint8Array;
  isUtf8(bytes: Uint8Array): boolean;
  /** Plain codecs: bytes.ts checks strictness and canonical form around them. */
  toHex(bytes: Uint8Array): string;
  fromHex(hex: string): Uint8Array;
  toBase64(bytes: Uint8Array, url: boolean): string;
  fromBase64(text: string, url: boolean): Uint8Array;
  /** Runs `task` once the event loop's current pass is done (setImmediate under Node; a zero timeout in a page). */
  afterThisTurn(task: () => void): void;
  /** The proxy the environment names for `url` (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`), or ''; a page has none of its own (the browser proxies). */
  proxyFromEnvironment(url: string): string;
  /** Lifts Node's listener-leak warning on a signal many waits listen to; nothing to do in a browser. */
  allowManyListeners(signal: AbortSignal): void;
  readTextFile(path: string): Promise<string>;
  /** Writes a file only its owner may read (0600), fsynced; refuses to overwrite unless told. */
  writeSecretTextFile(path: string, text: string, overwrite: boolean): Promise<void>;
}
