/** Card version 2 (docs/protocol.md section 4): epochSeconds in the signed part, key file round trip, refusals. */
import { describe, expect, it } from 'vitest';
import { cardToText, decodeCard, exportIdentity, generateIdentity, identityFromSecrets, importIdentity, parseCard, toHex } from '@herald/core';
import { concatBytes, writeU32 } from '../../src/bytes.js';
import { cardSignedPart } from '../../src/card.js';
import { DOMAIN } from '../../src/domains.js';
import { sodium } from '../../src/sodium.js';
import { bytesOf, expectCode } from '../helpers.js';

const NOW = 1_800_000_000_000;
const v2 = generateIdentity({ label: 'Bob', now: NOW, epochSeconds: 3600 });
const v1 = generateIdentity({ label: 'Alice', now: NOW });

/** A card with any signed part, correctly self-signed by a fresh key: only the field under test is wrong. */
function signedCard(edit: (signedPart: Uint8Array) => Uint8Array): Uint8Array {
  const signing = sodium.crypto_sign_seed_keypair(bytesOf(32, 21));
  const agreement = sodium.crypto_scalarmult_base(bytesOf(32, 22));
  const signedPart = edit(cardSignedPart(signing.publicKey, agreement, 'x', 1_000, 60));
  return concatBytes([signedPart, sodium.crypto_sign_detached(concatBytes([DOMAIN.cardSignature, signedPart]), signing.privateKey)]);
}

describe('card version 2', () => {
  it('carries epochSeconds through encode, text and decode; version 1 has none', () => {
    expect(v2.card.bytes[0]).toBe(2);
    expect(v2.card.epochSeconds).toBe(3600);
    const decoded = parseCard(cardToText(v2.card));
    expect(decoded.epochSeconds).toBe(3600);
    expect(decoded.label).toBe('Bob');
    expect(decoded.created.getTime()).toBe(NOW);
    expect(toHex(decoded.routingTag)).toBe(toHex(v2.card.routingTag));
    expect(v1.card.bytes[0]).toBe(1);
    expect('epochSeconds' in decodeCard(v1.card.bytes)).toBe(false);
  });

  it('is re-derived deterministically from the same secrets', () => {
    const again = identityFromSecrets(v2.signingSeed, v2.agreementSecretKey, 'Bob', NOW / 1000, 3600);
    expect(toHex(again.card.bytes)).toBe(toHex(v2.card.bytes));
    expect(toHex(identityFromSecrets(v2.signingSeed, v2.agreementSecretKey, 'Bob', NOW / 1000).card.bytes)).not.toBe(toHex(v2.card.bytes));
  });

  it('survives the key file, plain and with a passphrase; a version-1 key file stays version 1', () => {
    expect(importIdentity(exportIdentity(v2)).card.epochSeconds).toBe(3600);
    const locked = importIdentity(exportIdentity(v2, { passphrase: 'pw', strength: 'interactive' }), 'pw');
    expect(toHex(locked.card.bytes)).toBe(toHex(v2.card.bytes));
    const plainV1 = importIdentity(exportIdentity(v1));
    expect(toHex(plainV1.card.bytes)).toBe(toHex(v1.card.bytes));
    expect(plainV1.card.epochSeconds).toBeUndefined();
  });

  it('refuses epochSeconds 0, a flipped bit, a wrong length, and an unknown version', async () => {
    expect(decodeCard(signedCard((part) => part)).epochSeconds).toBe(60);
    await expectCode(() => decodeCard(signedCard((part) => (writeU32(part, 69, 0), part))), 'BAD_CARD');
    await expectCode(() => decodeCard(signedCard((part) => ((part[0] = 3), part))), 'BAD_CARD');
    // A version-2 card relabelled version 1 (signature redone) no longer parses: the lengths disagree.
    await expectCode(() => decodeCard(signedCard((part) => ((part[0] = 1), part))), 'BAD_CARD');
    for (const offset of [0, 1, 40, 66, 70, 73, 75]) {
      const bytes = v2.card.bytes.slice();
      bytes[offset]! ^= 1;
      await expectCode(() => decodeCard(bytes), 'BAD_CARD');
    }
    await expectCode(() => decodeCard(v2.card.bytes.subarray(0, v2.card.bytes.length - 1)), 'BAD_CARD');
  });

  it('refuses creating an identity with a bad epoch length', async () => {
    for (const epochSeconds of [0, -1, 1.5, 2 ** 32]) await expectCode(() => generateIdentity({ epochSeconds }), 'INVALID_OPTIONS');
  });
});
