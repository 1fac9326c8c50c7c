import { describe, expect, it } from 'vitest';
import {
  decodePrekeyBundle,
  decodeSignedPrekey,
  encodePrekeyBundle,
  encodeSignedPrekey,
  generateIdentity,
  generatePrekeys,
  kemFor,
  parsePrekeyBundle,
  prekeyBundleToText,
  type SignedPrekey,
  toHex,
  verifyPrekeyBundle,
  verifySignedPrekey,
} from '@herald/core';
import { prekeySignatureMessage } from '../../src/prekey/encoding.js';
import { sodium } from '../../src/sodium.js';
import { expectCode } from '../helpers.js';

const NOW = 1_800_000_000_000;
const alice = generateIdentity({ label: 'Alice', now: NOW });
const bob = generateIdentity({ label: 'Bob', now: NOW });
const [medium] = generatePrekeys(alice, { now: NOW });
const [classical] = generatePrekeys(alice, { kind: 'x25519', oneTime: true, now: NOW, sealForSeconds: 600, openForSeconds: 3600 });
if (!medium || !classical) throw new Error('no prekeys generated');

/** Re-signs hand-made fields with Alice's key, so only the field under test is wrong. */
function signedByAlice(fields: Omit<SignedPrekey, 'signature'>): SignedPrekey {
  return { ...fields, signature: sodium.crypto_sign_detached(prekeySignatureMessage(alice.card.signingPublicKey, fields), alice.signingSecretKey) };
}

describe('signed prekeys', () => {
  it('carry the defaults (48 h to seal, 7 days more to open) and the requested kind and flags', () => {
    expect(medium.prekey).toMatchObject({ kind: 'xwing', oneTime: false, created: NOW / 1000, sealUntil: NOW / 1000 + 48 * 3600, openUntil: NOW / 1000 + 48 * 3600 + 7 * 86400 });
    expect(medium.prekey.publicKey).toHaveLength(1216);
    expect(classical.prekey).toMatchObject({ kind: 'x25519', oneTime: true, sealUntil: NOW / 1000 + 600, openUntil: NOW / 1000 + 4200 });
    expect(toHex(medium.prekey.id)).not.toBe(toHex(classical.prekey.id));
  });

  it('encode and decode byte for byte, and their secrets open what is sealed to them', () => {
    for (const { prekey, secretKey } of [medium, classical]) {
      const bytes = encodeSignedPrekey(prekey);
      expect(bytes).toHaveLength(3 + 8 + 12 + prekey.publicKey.length + 64);
      const decoded = decodeSignedPrekey(bytes);
      expect(toHex(encodeSignedPrekey(decoded))).toBe(toHex(bytes));
      expect(verifySignedPrekey(decoded, alice.card.signingPublicKey, { now: NOW })).toBe(decoded);
      const kem = kemFor(decoded.kind);
      const { ciphertext, sharedSecret } = kem.encapsulate(decoded.publicKey);
      expect(toHex(kem.decapsulate(secretKey, ciphertext))).toBe(toHex(sharedSecret));
    }
  });

  it('refuse any altered byte of the signed part or the signature', async () => {
    const bytes = encodeSignedPrekey(classical.prekey);
    // flags (one-time bit), id, created, sealUntil, openUntil, public key, signature
    for (const position of [2, 3, 12, 16, 20, 23, 40, bytes.length - 1]) {
      const altered = bytes.slice();
      altered[position] = (altered[position] ?? 0) ^ (position === 2 ? 0x01 : 0x10);
      await expectCode(() => verifySignedPrekey(decodeSignedPrekey(altered), alice.card.signingPublicKey, { now: NOW }), 'BAD_PREKEY');
    }
  });

  it('refuse a prekey signed by another identity', async () => {
    await expectCode(() => verifySignedPrekey(medium.prekey, bob.card.signingPublicKey, { now: NOW }), 'BAD_PREKEY');
  });

  it('expire when sealUntil plus the clock skew has passed', async () => {
    const sealUntilMs = classical.prekey.sealUntil * 1000;
    expect(verifySignedPrekey(classical.prekey, alice.card.signingPublicKey, { now: sealUntilMs + 299_000 })).toBe(classical.prekey);
    await expectCode(() => verifySignedPrekey(classical.prekey, alice.card.signingPublicKey, { now: sealUntilMs + 301_000 }), 'PREKEY_EXPIRED');
    await expectCode(() => verifySignedPrekey(classical.prekey, alice.card.signingPublicKey, { now: sealUntilMs + 1000, maxClockSkewSeconds: 0 }), 'PREKEY_EXPIRED');
  });

  it('refuse malformed encodings and fields, even when correctly signed', async () => {
    const { signature: _signature, ...fields } = classical.prekey;
    await expectCode(() => decodeSignedPrekey(encodeSignedPrekey(signedByAlice({ ...fields, openUntil: fields.sealUntil - 1 }))), 'BAD_PREKEY');
    await expectCode(() => decodeSignedPrekey(encodeSignedPrekey(signedByAlice({ ...fields, sealUntil: fields.created - 1, openUntil: fields.created }))), 'BAD_PREKEY');
    await expectCode(() => verifySignedPrekey(signedByAlice({ ...fields, openUntil: fields.sealUntil - 1 }), alice.card.signingPublicKey, { now: NOW }), 'BAD_PREKEY');
    await expectCode(() => verifySignedPrekey(signedByAlice({ ...fields, publicKey: new Uint8Array(33) }), alice.card.signingPublicKey, { now: NOW }), 'BAD_PREKEY');
    await expectCode(() => verifySignedPrekey(signedByAlice({ ...fields, kind: 'xwing' }), alice.card.signingPublicKey, { now: NOW }), 'BAD_PREKEY');
    await expectCode(() => verifySignedPrekey(signedByAlice({ ...fields, openUntil: 2 ** 32 }), alice.card.signingPublicKey, { now: NOW }), 'BAD_PREKEY');
    const bytes = encodeSignedPrekey(classical.prekey);
    const unknownKind = bytes.slice();
    unknownKind[1] = 0x03;
    await expectCode(() => decodeSignedPrekey(unknownKind), 'BAD_PREKEY');
    const otherVersion = bytes.slice();
    otherVersion[0] = 0x02;
    await expectCode(() => decodeSignedPrekey(otherVersion), 'BAD_PREKEY');
    const reservedFlag = bytes.slice();
    reservedFlag[2] = 0x03;
    await expectCode(() => decodeSignedPrekey(reservedFlag), 'BAD_PREKEY');
    await expectCode(() => decodeSignedPrekey(bytes.subarray(0, bytes.length - 1)), 'BAD_PREKEY');
    await expectCode(() => decodeSignedPrekey(new Uint8Array([...bytes, 0])), 'BAD_PREKEY');
    await expectCode(() => decodeSignedPrekey(bytes.subarray(0, 5)), 'BAD_PREKEY');
  });

  it('validate their generation options', async () => {
    await expectCode(() => generatePrekeys(alice, { sealForSeconds: 59 }), 'INVALID_OPTIONS');
    await expectCode(() => generatePrekeys(alice, { openForSeconds: 400 * 86400 + 1 }), 'INVALID_OPTIONS');
    await expectCode(() => generatePrekeys(alice, { count: 0 }), 'INVALID_OPTIONS');
    await expectCode(() => generatePrekeys(alice, { kind: 'rsa' as never }), 'INVALID_OPTIONS');
    expect(generatePrekeys(alice, { kind: 'x25519', count: 3, sealForSeconds: 60, openForSeconds: 60 })).toHaveLength(3);
  });
});

describe('prekey bundles', () => {
  const bundle = { owner: alice.card.signingPublicKey, prekeys: [medium.prekey, classical.prekey] };

  it('encode, decode and verify against the owner card; the text form round-trips', () => {
    const decoded = decodePrekeyBundle(encodePrekeyBundle(bundle));
    expect(toHex(encodePrekeyBundle(decoded))).toBe(toHex(encodePrekeyBundle(bundle)));
    expect(verifyPrekeyBundle(decoded, alice.card, { now: NOW }).map((prekey) => prekey.kind)).toEqual(['xwing', 'x25519']);
    const text = prekeyBundleToText(bundle);
    expect(text.startsWith('herald-prekeys:')).toBe(true);
    expect(toHex(encodePrekeyBundle(parsePrekeyBundle(`# Alice's prekeys\n${text}\n`)))).toBe(toHex(encodePrekeyBundle(bundle)));
  });

  it('refuse a bundle for another identity, or one carrying another identity\'s prekey', async () => {
    await expectCode(() => verifyPrekeyBundle(bundle, bob.card, { now: NOW }), 'BAD_PREKEY');
    await expectCode(() => verifyPrekeyBundle({ owner: bob.card.signingPublicKey, prekeys: bundle.prekeys }, bob.card, { now: NOW }), 'BAD_PREKEY');
    const [bobs] = generatePrekeys(bob, { kind: 'x25519', now: NOW });
    await expectCode(() => verifyPrekeyBundle({ owner: alice.card.signingPublicKey, prekeys: [medium.prekey, bobs!.prekey] }, alice.card, { now: NOW }), 'BAD_PREKEY');
  });

  it('leave out expired prekeys, and refuse a bundle with none left', async () => {
    const afterClassical = (classical.prekey.sealUntil + 301) * 1000;
    expect(verifyPrekeyBundle(bundle, alice.card, { now: afterClassical }).map((prekey) => prekey.kind)).toEqual(['xwing']);
    await expectCode(() => verifyPrekeyBundle(bundle, alice.card, { now: (medium.prekey.sealUntil + 301) * 1000 }), 'PREKEY_EXPIRED');
  });

  it('refuse altered, truncated, padded or duplicated bundles', async () => {
    const bytes = encodePrekeyBundle(bundle);
    const altered = bytes.slice();
    altered[bytes.length - 100] = (altered[bytes.length - 100] ?? 0) ^ 1;
    await expectCode(() => verifyPrekeyBundle(decodePrekeyBundle(altered), alice.card, { now: NOW }), 'BAD_PREKEY');
    await expectCode(() => decodePrekeyBundle(bytes.subarray(0, bytes.length - 1)), 'BAD_PREKEY');
    await expectCode(() => decodePrekeyBundle(new Uint8Array([...bytes, 0])), 'BAD_PREKEY');
    await expectCode(() => decodePrekeyBundle(bytes.subarray(0, 30)), 'BAD_PREKEY');
    const empty = bytes.slice(0, 34);
    empty[33] = 0;
    await expectCode(() => decodePrekeyBundle(empty), 'BAD_PREKEY');
    await expectCode(() => verifyPrekeyBundle({ owner: alice.card.signingPublicKey, prekeys: [classical.prekey, classical.prekey] }, alice.card, { now: NOW }), 'BAD_PREKEY');
    await expectCode(() => parsePrekeyBundle('herald-prekeys:not base64!'), 'BAD_PREKEY');
    await expectCode(() => parsePrekeyBundle('herald-card:AAAA'), 'BAD_PREKEY');
  });
});
