/**
 * Ed25519 key blinding for epoch mailboxes (docs/protocol.md section 5.4): the blinded secret matches the blinded
 * public key, signatures verify under that epoch's key only, and tags differ per epoch.
 * Runs on the default backend here and on libsodium.js in wasm.test.ts.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { blindedMailbox, blindedMailboxKey, blindingFactor, epochOf, epochTagFor, epochTagOfKey, toHex } from '@herald/core';
import { sodium } from '../../src/sodium.js';
import { bytesOf, expectCode } from '../helpers.js';
import { epochIdentity } from './fixtures.js';

const DAY = 86_400;
const EPOCH = 20_429;
const identity = epochIdentity(DAY);
const message = bytesOf(100, 3);

/** a_e computed independently: clamp(SHA-512(seed)[0..32]) · h mod L. */
function blindedSecretScalar(epoch: number): Uint8Array {
  const scalar = sodium.crypto_hash_sha512(identity.signingSeed).slice(0, 32);
  scalar[0]! &= 248;
  scalar[31]! &= 127;
  scalar[31]! |= 64;
  return sodium.crypto_core_ed25519_scalar_mul(blindingFactor(identity.card.signingPublicKey, DAY, epoch), scalar);
}

describe('epoch blinding', () => {
  it('epochOf is floor(unix seconds / epoch length)', async () => {
    expect(epochOf(EPOCH * DAY * 1000, DAY)).toBe(EPOCH);
    expect(epochOf(EPOCH * DAY * 1000 - 1, DAY)).toBe(EPOCH - 1);
    expect(epochOf(5_999, 2)).toBe(2);
    await expectCode(() => epochOf(1000, 0), 'INVALID_OPTIONS');
    await expectCode(() => epochOf(-1, 2), 'INVALID_OPTIONS');
  });

  it('a_e · B == A_e, and the mailbox key equals the card-only computation', () => {
    const mailbox = blindedMailbox(identity, EPOCH);
    const fromCard = blindedMailboxKey(identity.card.signingPublicKey, DAY, EPOCH);
    expect(toHex(mailbox.publicKey)).toBe(toHex(fromCard));
    expect(toHex(sodium.crypto_scalarmult_ed25519_base_noclamp(blindedSecretScalar(EPOCH)))).toBe(toHex(fromCard));
    expect(toHex(fromCard)).not.toBe(toHex(identity.card.signingPublicKey));
  });

  it('a blinded signature verifies under A_e only: not under A, nor another epoch key, nor for another message', () => {
    const mailbox = blindedMailbox(identity, EPOCH);
    const signature = mailbox.sign(message);
    expect(signature.length).toBe(64);
    expect(sodium.crypto_sign_verify_detached(signature, message, mailbox.publicKey)).toBe(true);
    expect(sodium.crypto_sign_verify_detached(signature, message, identity.card.signingPublicKey)).toBe(false);
    expect(sodium.crypto_sign_verify_detached(signature, message, blindedMailboxKey(identity.card.signingPublicKey, DAY, EPOCH + 1))).toBe(false);
    expect(sodium.crypto_sign_verify_detached(signature, bytesOf(100, 4), mailbox.publicKey)).toBe(false);
    // An independent Ed25519 (noble, strict RFC 8032 verification) accepts it too.
    expect(ed25519.verify(signature, message, mailbox.publicKey)).toBe(true);
    // Deterministic like Ed25519: the same message gives the same signature, another message another nonce.
    expect(toHex(mailbox.sign(message))).toBe(toHex(signature));
    expect(toHex(mailbox.sign(bytesOf(100, 4)).subarray(0, 32))).not.toBe(toHex(signature.subarray(0, 32)));
  });

  it('tags: the same for the card holder and the owner, different per epoch, per epoch length and per identity', () => {
    const mailbox = blindedMailbox(identity, EPOCH);
    expect(toHex(epochTagFor(identity.card, EPOCH))).toBe(toHex(mailbox.tag));
    expect(toHex(epochTagOfKey(mailbox.publicKey))).toBe(toHex(mailbox.tag));
    expect(mailbox.tag.length).toBe(16);
    const others = [
      epochTagFor(identity.card, EPOCH + 1),
      epochTagFor({ ...identity.card, epochSeconds: DAY + 1 }, EPOCH),
      epochTagFor(epochIdentity(DAY, 99).card, EPOCH),
      identity.card.routingTag,
    ].map(toHex);
    expect(new Set([toHex(mailbox.tag), ...others]).size).toBe(5);
  });

  it('refuses a card without epochSeconds and bad epochs', async () => {
    const { epochSeconds: _dropped, ...v1Card } = identity.card;
    await expectCode(() => epochTagFor(v1Card, EPOCH), 'INVALID_OPTIONS');
    await expectCode(() => blindedMailbox({ ...identity, card: v1Card }, EPOCH), 'INVALID_OPTIONS');
    await expectCode(() => blindedMailboxKey(identity.card.signingPublicKey, DAY, -1), 'INVALID_OPTIONS');
    await expectCode(() => blindedMailboxKey(identity.card.signingPublicKey, DAY, 1.5), 'INVALID_OPTIONS');
    await expectCode(() => blindedMailboxKey(new Uint8Array(32), DAY, EPOCH), 'BAD_CARD');
  });
});
