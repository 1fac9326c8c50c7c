import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  decodePrekeyBundle,
  encodeSignedPrekey,
  fromHex,
  generatePrekeys,
  identityFromSecrets,
  parsePrekeyBundle,
  type PrekeyKind,
  toHex,
  verifyPrekeyBundle,
  x25519Kem,
} from '@herald/core';
import { utf8 } from '../../src/bytes.js';
import { scriptedRandom } from '../helpers.js';

interface Vectors {
  owner: { label: string; signingSeed: string; agreementSecretKey: string; created: number; signingPublicKey: string; cardText: string };
  x25519Kem: { seed: string; publicKey: string; randomness: string; ciphertext: string; sharedSecret: string }[];
  prekeys: {
    name: string;
    options: { kind: PrekeyKind; oneTime?: boolean; sealForSeconds?: number; openForSeconds?: number };
    now: number;
    random: { id: string; keySeed: string };
    fields: { id: string; kind: PrekeyKind; oneTime: boolean; created: number; sealUntil: number; openUntil: number };
    publicKey: string;
    signature: string;
    encoded: string;
  }[];
  bundle: { encoded: string; text: string };
}
const vectors = JSON.parse(readFileSync(new URL('../vectors/prekeys.json', import.meta.url), 'utf8')) as Vectors;
const { owner } = vectors;
const alice = identityFromSecrets(fromHex(owner.signingSeed), fromHex(owner.agreementSecretKey), owner.label, owner.created);
const u32 = (value: number): string => value.toString(16).padStart(8, '0');

describe('prekey vectors (docs/protocol.md section 16)', () => {
  it('rebuild the owner identity', () => {
    expect(toHex(alice.card.signingPublicKey)).toBe(owner.signingPublicKey);
  });

  it.each(vectors.x25519Kem)('x25519 KEM: key, ciphertext and shared secret from the seeds', ({ seed, publicKey, randomness, ciphertext, sharedSecret }) => {
    const pair = x25519Kem.generateKeyPair(fromHex(seed));
    expect(toHex(pair.publicKey)).toBe(publicKey);
    const sealed = x25519Kem.encapsulate(pair.publicKey, fromHex(randomness));
    expect(toHex(sealed.ciphertext)).toBe(ciphertext);
    expect(toHex(sealed.sharedSecret)).toBe(sharedSecret);
    expect(toHex(x25519Kem.decapsulate(pair.secretKey, fromHex(ciphertext)))).toBe(sharedSecret);
  });

  it.each(vectors.prekeys)('$name: rebuilt byte for byte, laid out as specified, signed as specified', ({ options, now, random, fields, publicKey, signature, encoded }) => {
    const [owned] = generatePrekeys(alice, { ...options, now, random: scriptedRandom(random.id, random.keySeed) });
    expect(toHex(encodeSignedPrekey(owned!.prekey))).toBe(encoded);
    // The layout, read from the spec rather than the decoder: version, kind, flags, id, three u32 times, key, signature.
    const kindCode = fields.kind === 'xwing' ? '01' : '02';
    const flags = fields.oneTime ? '01' : '00';
    expect(encoded).toBe(`01${kindCode}${flags}${fields.id}${u32(fields.created)}${u32(fields.sealUntil)}${u32(fields.openUntil)}${publicKey}${signature}`);
    expect(fields.id).toBe(random.id);
    expect(fields.sealUntil - fields.created).toBe(options.sealForSeconds ?? 48 * 3600);
    expect(fields.openUntil - fields.sealUntil).toBe(options.openForSeconds ?? 7 * 86400);
    // Ed25519 (noble, independent of libsodium) over domain ‖ owner key ‖ everything before the signature.
    const signed = new Uint8Array([...utf8('herald/v2/prekey-signature'), ...fromHex(owner.signingPublicKey), ...fromHex(encoded.slice(0, -128))]);
    expect(ed25519.verify(fromHex(signature), signed, fromHex(owner.signingPublicKey))).toBe(true);
  });

  it('bundle: version, owner key, count, then the prekeys; verifies against the card; text form', () => {
    const expected = `01${owner.signingPublicKey}${vectors.prekeys.length.toString(16).padStart(2, '0')}${vectors.prekeys.map((vector) => vector.encoded).join('')}`;
    expect(vectors.bundle.encoded).toBe(expected);
    const bundle = decodePrekeyBundle(fromHex(vectors.bundle.encoded));
    expect(verifyPrekeyBundle(bundle, alice.card, { now: vectors.prekeys[0]!.now })).toHaveLength(vectors.prekeys.length);
    expect(vectors.bundle.text).toBe(`herald-prekeys:${Buffer.from(expected, 'hex').toString('base64url')}`);
    expect(toHex(parsePrekeyBundle(vectors.bundle.text).owner)).toBe(owner.signingPublicKey);
  });
});
