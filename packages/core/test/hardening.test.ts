import { describe, expect, it } from 'vitest';
import { cardToText, decodeCard, generateIdentity, importIdentity, memorySeenSet, open, parseCard, seal, toBase64Url } from '@herald/core';
import { concatBytes, toBase64, writeU32 } from '../src/bytes.js';
import { cardSignedPart } from '../src/card.js';
import { DOMAIN } from '../src/domains.js';
import { parseOuter } from '../src/envelope/format.js';
import { contentNonce, messageIdFromEphemeral, signedMessage, xorInto, keyEncryptionKey } from '../src/envelope/keys.js';
import { sodium } from '../src/sodium.js';
import { expectCode } from './helpers.js';

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const carol = generateIdentity({ label: 'Carol' });

/** Carol, a co-recipient, reuses Alice's header (same ephemeral key, same id) for a message she signs herself. */
function coRecipientForgery(genuine: Uint8Array): Uint8Array {
  const outer = parseOuter(genuine);
  const messageId = messageIdFromEphemeral(outer.ephemeralPublicKey);
  const carolIndex = [0, 1].find((index) => Buffer.from(outer.tagAt(index)).equals(Buffer.from(carol.card.routingTag)))!;
  const kek = keyEncryptionKey(sodium.crypto_scalarmult(carol.agreementSecretKey, outer.ephemeralPublicKey), outer.ephemeralPublicKey, carol.card.agreementPublicKey);
  const contentKey = xorInto(new Uint8Array(32), outer.wrapAt(carolIndex), kek);
  const body = new TextEncoder().encode('forged by Carol');
  const created = new Uint8Array(4);
  writeU32(created, 0, Math.floor(Date.now() / 1000));
  const meta = 0; // ROUTINE, unpadded, full sender key
  const type = Uint8Array.of(1);
  const signature = sodium.crypto_sign_detached(signedMessage(outer.header, meta, type, carol.card.signingPublicKey, created, body), carol.signingSecretKey);
  const inner = concatBytes([Uint8Array.of(meta), type, carol.card.signingPublicKey, created, signature, body]);
  return concatBytes([outer.header, sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(inner, outer.header, null, contentNonce(messageId), contentKey)]);
}

describe('hardening', () => {
  it('a co-recipient reusing a message id cannot suppress the genuine message as a replay', async () => {
    const genuine = seal('from Alice', { from: alice, to: [bob.card, carol.card] });
    const forged = coRecipientForgery(genuine);
    const seen = memorySeenSet();
    const first = await open(forged, { identity: bob, seen });
    expect(first.sender.fingerprint).toBe(carol.card.fingerprint);
    const second = await open(genuine, { identity: bob, seen });
    expect(first.id).toBe(second.id);
    expect(second.sender.fingerprint).toBe(alice.card.fingerprint);
    await expectCode(open(genuine, { identity: bob, seen }), 'REPLAY');
  });

  it('keeps an id in the seen-set for as long as open would accept its envelope', async () => {
    const sealedAt = Date.UTC(2026, 5, 1);
    const envelope = seal('late', { from: alice, to: bob.card, ttl: 60, now: sealedAt });
    let clock = sealedAt + 60_000 + 300_000 + 999; // the last millisecond open accepts with the default skew
    const seen = memorySeenSet({ now: () => clock });
    await open(envelope, { identity: bob, seen, now: clock });
    await expectCode(open(envelope, { identity: bob, seen, now: clock }), 'REPLAY');
    clock += 1;
    await expectCode(open(envelope, { identity: bob, seen, now: clock }), 'EXPIRED');
  });

  it('refuses expiries beyond the longest ttl before any crypto, and rejects a non-finite clock', async () => {
    const now = Date.UTC(2026, 0, 1);
    const farFuture = seal('x', { from: alice, to: bob.card, ttl: 400 * 86_400, now: now + 30 * 86_400_000 });
    await expectCode(open(farFuture, { identity: bob, now }), 'MALFORMED');
    await expectCode(open(farFuture, { identity: bob, now: Number.NaN }), 'INVALID_OPTIONS');
  });

  it('marks NOT_YET_VALID retryable and every other envelope refusal not', async () => {
    const now = Date.UTC(2026, 0, 1);
    const early = seal('x', { from: alice, to: bob.card, now: now + 3_600_000 });
    const error = await open(early, { identity: bob, now }).catch((caught: unknown) => caught as { code: string; retryable: boolean });
    expect(error).toMatchObject({ code: 'NOT_YET_VALID', retryable: true });
    const other = await open(early, { identity: carol, now }).catch((caught: unknown) => caught as { code: string; retryable: boolean });
    expect(other).toMatchObject({ code: 'NOT_FOR_ME', retryable: false });
  });

  it('refuses a self-signed card carrying a small-order X25519 key', () => {
    const seed = new Uint8Array(32).fill(9);
    const signing = sodium.crypto_sign_seed_keypair(seed);
    const smallOrder = new Uint8Array(32); // the all-zero point has order 1
    const signed = cardSignedPart(signing.publicKey, smallOrder, 'weak', 0);
    const signature = sodium.crypto_sign_detached(concatBytes([DOMAIN.cardSignature, signed]), signing.privateKey);
    expect(() => decodeCard(concatBytes([signed, signature]))).toThrowError(expect.objectContaining({ code: 'BAD_CARD' }));
  });

  it('accepts only the canonical text form of a card', () => {
    const text = cardToText(alice.card);
    const bytes = alice.card.bytes;
    expect(toBase64Url(bytes).length % 4).not.toBe(0);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = text.at(-1)!;
    const tweaked = text.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1];
    expect(() => parseCard(tweaked)).toThrowError(expect.objectContaining({ code: 'BAD_CARD' }));
  });

  it('types every defect of a key file as BAD_KEY_FILE', async () => {
    const armor = (bytes: Uint8Array): string => `-----BEGIN HERALD SECRET KEY-----\n${toBase64(bytes)}\n-----END HERALD SECRET KEY-----\n`;
    await expectCode(() => importIdentity(armor(Uint8Array.of(0xff, 0xfe, 0xfd, 1, 0))), 'BAD_KEY_FILE');
    const lowMemory = new Uint8Array(5 + 48 + 100);
    lowMemory.set([0x48, 0x53, 0x4b, 1, 1]);
    writeU32(lowMemory, 5, 3);
    writeU32(lowMemory, 9, 1024);
    await expectCode(() => importIdentity(armor(lowMemory), 'pass'), 'BAD_KEY_FILE');
  });
});
