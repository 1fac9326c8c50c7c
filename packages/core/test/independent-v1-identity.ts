/**
 * The independent v1 implementation (see independent-v1.ts), part 1: the
 * primitives every later step keys its hashes with, and identities, cards and
 * fingerprints, from docs/protocol.md §1–§5 alone.
 */
import sodium from 'libsodium-wrappers-sumo';
import { ascii, cat, refuse, u32, utf8Strict } from './independent-bytes.js';
import { decodeBase64Doc, isSmallOrderDoc } from './independent-text.js';

// Awaited here, in the module every other part imports, so no part calls libsodium before it is ready.
await sodium.ready;

// ---------------------------------------------------------------------------
// Primitives and conventions (protocol.md §1, §2)
// ---------------------------------------------------------------------------

export const D = {
  fingerprint: ascii('herald/v1/fingerprint'),
  routingTag: ascii('herald/v1/routing-tag'),
  messageId: ascii('herald/v1/message-id'),
  kek: ascii('herald/v1/kek'),
  envelopeSignature: ascii('herald/v1/envelope-signature'),
  cardSignature: ascii('herald/v1/card-signature'),
};

/** BLAKE2b-(8·outBytes), keyed (§1): libsodium crypto_generichash(outBytes, msg, key). */
export const blake2b = (outBytes: number, msg: Uint8Array, key: Uint8Array): Uint8Array => sodium.crypto_generichash(outBytes, msg, key);
export const ctEqual = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && sodium.memcmp(a, b);

// ---------------------------------------------------------------------------
// Identities, cards, fingerprints (§3–§5)
// ---------------------------------------------------------------------------

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function fingerprintHash(signingPublicKey: Uint8Array): Uint8Array {
  return blake2b(32, signingPublicKey, D.fingerprint);
}

/** First 125 bits, MSB first, Crockford base32, five groups of five (§5.1). */
export function fingerprintOf(signingPublicKey: Uint8Array): string {
  const h = fingerprintHash(signingPublicKey);
  let chars = '';
  for (let index = 0; index < 25; index++) {
    let value = 0;
    for (let bit = 0; bit < 5; bit++) {
      const position = index * 5 + bit;
      value = (value << 1) | ((h[position >> 3]! >> (7 - (position & 7))) & 1);
    }
    chars += CROCKFORD[value];
  }
  return chars.match(/.{5}/g)!.join(' ');
}

export const keyIdOf = (signingPublicKey: Uint8Array): Uint8Array => fingerprintHash(signingPublicKey).slice(0, 8);
export const routingTagOf = (agreementPublicKey: Uint8Array): Uint8Array => blake2b(16, agreementPublicKey, D.routingTag);

export interface IndependentIdentity {
  signingPublicKey: Uint8Array;
  signingSecretKey: Uint8Array;
  agreementSecret: Uint8Array;
  agreementPublicKey: Uint8Array;
  routingTag: Uint8Array;
  keyId: Uint8Array;
  cardBytes: Uint8Array;
}

/** §3 and §4.1: secrets → keys → self-signed card. */
export function independentIdentity(signingSeed: Uint8Array, agreementSecret: Uint8Array, label: string, created: number): IndependentIdentity {
  const signing = sodium.crypto_sign_seed_keypair(signingSeed);
  const agreementPublicKey = sodium.crypto_scalarmult_base(agreementSecret);
  const labelBytes = ascii(label);
  const signedPart = cat(Uint8Array.of(1), signing.publicKey, agreementPublicKey, u32(created), Uint8Array.of(labelBytes.length), labelBytes);
  const signature = sodium.crypto_sign_detached(cat(D.cardSignature, signedPart), signing.privateKey);
  return {
    signingPublicKey: signing.publicKey,
    signingSecretKey: signing.privateKey,
    agreementSecret,
    agreementPublicKey,
    routingTag: routingTagOf(agreementPublicKey),
    keyId: keyIdOf(signing.publicKey),
    cardBytes: cat(signedPart, signature),
  };
}

/** §4.1 decoding rules, §4.2 text form. Returns the two public keys. */
export function decodeCardText(text: string): { signingPublicKey: Uint8Array; agreementPublicKey: Uint8Array; label: string } {
  if (!text.startsWith('herald-card:')) refuse('BAD_CARD', 'prefix');
  const body = text.slice('herald-card:'.length);
  const bytes = decodeBase64Doc(body, 'url') ?? refuse('BAD_CARD', 'base64url');
  if (bytes.length < 134) refuse('BAD_CARD', 'short');
  if (bytes[0] !== 1) refuse('BAD_CARD', 'version');
  const labelLength = bytes[69]!;
  if (labelLength > 64 || bytes.length !== 134 + labelLength) refuse('BAD_CARD', 'length');
  const signingPublicKey = bytes.slice(1, 33);
  if (!sodium.crypto_sign_verify_detached(bytes.subarray(70 + labelLength), cat(D.cardSignature, bytes.subarray(0, 70 + labelLength)), signingPublicKey)) {
    refuse('BAD_CARD', 'signature');
  }
  const label = utf8Strict(bytes.subarray(70, 70 + labelLength));
  if (/[\u0000-\u001f\u007f]/.test(label)) refuse('BAD_CARD', 'label');
  const agreementPublicKey = bytes.slice(33, 65);
  if (isSmallOrderDoc(agreementPublicKey)) refuse('BAD_CARD', 'small-order X25519 key'); // step 8
  return { signingPublicKey, agreementPublicKey, label };
}
