/**
 * The contract between prekeys and envelope version 2 (issue 16). Prekeys give
 * forward secrecy and post-quantum protection: a v2 envelope's key for each
 * recipient combines a KEM shared secret for one of the recipient's signed
 * prekeys with an X25519 agreement with the recipient's identity key.
 */

/** `xwing`: X-Wing (X25519 + ML-KEM-768, SHA3-256 combiner; HPKE KEM 0x647A). `x25519`: classical, for channels where 1,120 bytes do not fit. */
export type PrekeyKind = 'xwing' | 'x25519';

/** Bytes of a prekey id: chosen at random by the owner, never reused by it. */
export const PREKEY_ID_BYTES = 8;

export interface KemKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export interface KemEncapsulation {
  readonly ciphertext: Uint8Array;
  /** 32 bytes. */
  readonly sharedSecret: Uint8Array;
}

/** A key-encapsulation mechanism: all a v2 envelope needs of a prekey kind. Synchronous (libraries load at import). */
export interface Kem {
  readonly kind: PrekeyKind;
  readonly publicKeyBytes: number;
  readonly secretKeyBytes: number;
  readonly ciphertextBytes: number;
  /** `seed`: the kind's deterministic key-generation input (32 bytes for both kinds), for test vectors; default fresh random. */
  generateKeyPair(seed?: Uint8Array): KemKeyPair;
  /** `randomness`: the encapsulation's random input (X-Wing 64 bytes, x25519 32 bytes), for test vectors; default fresh random. */
  encapsulate(publicKey: Uint8Array, randomness?: Uint8Array): KemEncapsulation;
  /** Throws EnvelopeError DECRYPT_FAILED on a ciphertext of the wrong size or an invalid key. */
  decapsulate(secretKey: Uint8Array, ciphertext: Uint8Array): Uint8Array;
}

/** A prekey as its owner publishes it, signed by the owner's Ed25519 identity key. Times in seconds since the epoch. */
export interface SignedPrekey {
  readonly id: Uint8Array;
  readonly kind: PrekeyKind;
  /** Used for one envelope only: the owner deletes its secret once the message it opened is stored. */
  readonly oneTime: boolean;
  readonly publicKey: Uint8Array;
  readonly created: number;
  /** Senders may seal to it until then. */
  readonly sealUntil: number;
  /** The owner deletes its secret then; an envelope sealed to it must expire by then. */
  readonly openUntil: number;
  /** Ed25519 by the owner's identity key over its own domain string and the encoded fields above. */
  readonly signature: Uint8Array;
}
