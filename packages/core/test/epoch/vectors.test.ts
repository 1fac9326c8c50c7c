/**
 * test/vectors/epoch.json (docs/protocol.md section 14): the reference reproduces every value, and an independent
 * implementation of section 5.4 here (noble's Ed25519 and BLAKE2b, BigInt scalars) derives the same values from the
 * seed alone. Runs on libsodium.js too (wasm.test.ts).
 */
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { blindedMailbox, blindedMailboxKey, blindingFactor, cardToText, epochTagFor, fromHex, identityFromSecrets, toHex } from '@herald/core';

interface EpochVectors {
  label: string;
  signingSeed: string;
  agreementSecretKey: string;
  created: number;
  epochSeconds: number;
  signingPublicKey: string;
  staticRoutingTag: string;
  cardText: string;
  message: string;
  epochs: { epoch: number; blindingFactor: string; blindedKey: string; tag: string; signature: string }[];
}
const vectors = JSON.parse(readFileSync(new URL('../vectors/epoch.json', import.meta.url), 'utf8')) as EpochVectors;

const L = ed25519.Point.Fn.ORDER;
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((part) => [...part]));
const littleEndian = (bytes: Uint8Array): bigint => bytes.reduceRight((sum, byte) => (sum << 8n) | BigInt(byte), 0n);
const toLittleEndian32 = (value: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, index) => Number((value >> BigInt(8 * index)) & 0xffn));
const bigEndian = (value: number, bytes: number): Uint8Array => Uint8Array.from({ length: bytes }, (_, index) => Number((BigInt(value) >> BigInt(8 * (bytes - 1 - index))) & 0xffn));

/** Section 5.4 from the seed, independently of core. */
function independent(seed: Uint8Array, epochSeconds: number, epoch: number, message: Uint8Array) {
  const expanded = sha512(seed);
  const head = expanded.slice(0, 32);
  head[0]! &= 248;
  head[31]! &= 127;
  head[31]! |= 64;
  const A = ed25519.Point.BASE.multiply(littleEndian(head) % L);
  const h = littleEndian(blake2b(concat(utf8('herald/v1/mailbox-blind'), bigEndian(epochSeconds, 4), bigEndian(epoch, 8), A.toBytes()), { dkLen: 64 })) % L;
  const aE = (h * littleEndian(head)) % L;
  const AE = A.multiply(h).toBytes();
  const prefix = blake2b(concat(expanded.slice(32), AE), { dkLen: 32, key: utf8('herald/v1/mailbox-nonce') });
  const r = littleEndian(sha512(concat(prefix, message))) % L;
  const R = ed25519.Point.BASE.multiply(r).toBytes();
  const k = littleEndian(sha512(concat(R, AE, message))) % L;
  return {
    signingPublicKey: toHex(A.toBytes()),
    blindingFactor: toHex(toLittleEndian32(h)),
    blindedKey: toHex(AE),
    fromSecret: toHex(ed25519.Point.BASE.multiply(aE).toBytes()),
    tag: toHex(blake2b(AE, { dkLen: 16, key: utf8('herald/v1/epoch-tag') })),
    signature: toHex(concat(R, toLittleEndian32((r + k * aE) % L))),
  };
}

describe('epoch vectors', () => {
  const identity = identityFromSecrets(fromHex(vectors.signingSeed), fromHex(vectors.agreementSecretKey), vectors.label, vectors.created, vectors.epochSeconds);
  const message = fromHex(vectors.message);

  it('the version-2 card', () => {
    expect(cardToText(identity.card)).toBe(vectors.cardText);
    expect(toHex(identity.card.signingPublicKey)).toBe(vectors.signingPublicKey);
    expect(toHex(identity.card.routingTag)).toBe(vectors.staticRoutingTag);
  });

  it.each(vectors.epochs)('epoch $epoch: the reference reproduces h, A_e, the tag and the signature', (vector) => {
    expect(toHex(blindingFactor(identity.card.signingPublicKey, vectors.epochSeconds, vector.epoch))).toBe(vector.blindingFactor);
    expect(toHex(blindedMailboxKey(identity.card.signingPublicKey, vectors.epochSeconds, vector.epoch))).toBe(vector.blindedKey);
    expect(toHex(epochTagFor(identity.card, vector.epoch))).toBe(vector.tag);
    const mailbox = blindedMailbox(identity, vector.epoch);
    expect(toHex(mailbox.publicKey)).toBe(vector.blindedKey);
    expect(toHex(mailbox.sign(message))).toBe(vector.signature);
  });

  it.each(vectors.epochs)('epoch $epoch: an independent implementation derives the same from the seed', (vector) => {
    const derived = independent(fromHex(vectors.signingSeed), vectors.epochSeconds, vector.epoch, message);
    expect(derived).toEqual({ signingPublicKey: vectors.signingPublicKey, blindingFactor: vector.blindingFactor, blindedKey: vector.blindedKey, fromSecret: vector.blindedKey, tag: vector.tag, signature: vector.signature });
    expect(ed25519.verify(fromHex(vector.signature), message, fromHex(vector.blindedKey))).toBe(true);
  });
});
