import { readFileSync } from 'node:fs';
import sodium from 'libsodium-wrappers-sumo';
import { describe, expect, it } from 'vitest';
import { toHex } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';

await sodium.ready;

const url = 'ws://127.0.0.1:7700/';
const fields = { version: 1, relayId: new Uint8Array(16).fill(1), challenge: new Uint8Array(32).fill(2), relayKey: new Uint8Array(32).fill(3), maxEnvelopeBytes: 1 << 20 };
const challenge = { ...fields, bytes: protocol.encodeChallenge(fields) };

/** A mailbox signer: to the relay any Ed25519 key is a blinded key (it cannot tell, and need not). */
function mailbox(seedByte: number): { publicKey: Uint8Array; sign(message: Uint8Array): Uint8Array } {
  const pair = sodium.crypto_sign_seed_keypair(new Uint8Array(32).fill(seedByte));
  return { publicKey: pair.publicKey, sign: (message) => sodium.crypto_sign_detached(message, pair.privateKey) };
}

function decoded(frame: Uint8Array): protocol.MailboxAuth {
  const auth = protocol.decodeClientFrame(frame);
  if (auth.type !== 'mailbox-auth') throw new Error(`not a MAILBOX_AUTH frame: ${auth.type}`);
  return auth;
}

const verify = (auth: protocol.MailboxAuth, challengeBytes = challenge.bytes): protocol.MailboxAuthVerdict => protocol.verifyMailboxAuth(auth, challengeBytes, (signed) => signed === url);

/** The vector block of docs/relay-protocol.md section 4.4: lines `name hex`. */
function documentedVector(): Record<string, string> {
  const text = readFileSync(new URL('../../../docs/relay-protocol.md', import.meta.url), 'utf8');
  const block = /```\nMAILBOX_AUTH vector\n([\s\S]*?)```/.exec(text)?.[1];
  if (!block) throw new Error('docs/relay-protocol.md has no MAILBOX_AUTH vector block');
  return Object.fromEntries(block.trim().split('\n').map((line) => line.trim().split(/\s+/) as [string, string]));
}

describe('MAILBOX_AUTH (docs/relay-protocol.md 4.4)', () => {
  it('matches the documented vector byte for byte, and the relay derives the documented tag', () => {
    const vector = documentedVector();
    const signer = mailbox(Number.parseInt(vector.seed!.slice(0, 2), 16));
    expect(vector.seed).toBe('2a'.repeat(32));
    expect(toHex(challenge.bytes)).toBe(vector.C);
    expect(toHex(signer.publicKey)).toBe(vector.key);
    const frame = protocol.answerMailboxChallenge([signer], challenge, url);
    expect(toHex(frame)).toBe(vector.frame);
    const verdict = verify(decoded(frame));
    expect(verdict).toEqual({ ok: true, tags: [vector.tag], keys: [signer.publicKey] });
    // The tag is BLAKE2b-128 keyed by the epoch-tag domain over the blinded key, as protocol.md 5.4 says.
    expect(toHex(sodium.crypto_generichash(16, signer.publicKey, new TextEncoder().encode('herald/v1/epoch-tag')))).toBe(vector.tag);
  });

  it('round-trips several keys in the order claimed, each verified under its own key', () => {
    const signers = [mailbox(1), mailbox(2), mailbox(3)];
    const auth = decoded(protocol.answerMailboxChallenge(signers, challenge, url));
    expect(auth.keys).toEqual(signers.map((signer) => signer.publicKey));
    const verdict = verify(auth);
    expect(verdict.ok && verdict.tags.length).toBe(3);
    expect(protocol.encodeMailboxAuth(auth)).toEqual(protocol.answerMailboxChallenge(signers, challenge, url));
    // The largest frame fits what the relay reads before WELCOME.
    const most = Array.from({ length: protocol.MAX_MAILBOX_KEYS }, (_, index) => mailbox(index + 1));
    const longUrl = `ws://${'a'.repeat(protocol.MAX_URL_BYTES - 8)}:1/`;
    expect(protocol.answerMailboxChallenge(most, challenge, longUrl.slice(0, protocol.MAX_URL_BYTES)).length).toBe(protocol.MAX_MAILBOX_AUTH_FRAME_BYTES);
    expect(protocol.MAX_MAILBOX_AUTH_FRAME_BYTES).toBeLessThanOrEqual(protocol.PRE_AUTH_MAX_FRAME_BYTES);
  });

  it('refuses a bad signature, another challenge, another URL, a count out of 1..64 and a key claimed twice', () => {
    const [one, two] = [mailbox(1), mailbox(2)];
    const good = decoded(protocol.answerMailboxChallenge([one, two], challenge, url));
    const flipped = good.signatures[1]!.slice();
    flipped[10]! ^= 1;
    expect(verify({ ...good, signatures: [good.signatures[0]!, flipped] })).toMatchObject({ ok: false, failure: 'signature' });
    // Signatures swapped: each made by the other key.
    expect(verify({ ...good, signatures: [good.signatures[1]!, good.signatures[0]!] })).toMatchObject({ ok: false, failure: 'signature' });
    // A key cut from a captured answer: the other signature covered both keys.
    expect(verify({ url, keys: [good.keys[0]!], signatures: [good.signatures[0]!] })).toMatchObject({ ok: false, failure: 'signature' });
    const other = { ...fields, challenge: new Uint8Array(32).fill(9) };
    expect(verify(good, protocol.encodeChallenge(other))).toMatchObject({ ok: false, failure: 'signature' });
    const elsewhere = decoded(protocol.answerMailboxChallenge([one], challenge, 'ws://127.0.0.1:7701/'));
    expect(verify(elsewhere)).toMatchObject({ ok: false, failure: 'url' });
    expect(verify({ url, keys: [], signatures: [] })).toMatchObject({ ok: false, failure: 'mailbox-keys' });
    const many = Array.from({ length: protocol.MAX_MAILBOX_KEYS + 1 }, (_, index) => mailbox(index + 1));
    const keys = many.map((signer) => signer.publicKey);
    const transcript = protocol.mailboxAuthTranscript(challenge.bytes, url, keys);
    const tooMany = decoded(protocol.encodeMailboxAuth({ url, keys, signatures: many.map((signer) => signer.sign(transcript)) }));
    expect(verify(tooMany)).toMatchObject({ ok: false, failure: 'mailbox-keys' });
    const twice = [one.publicKey, one.publicKey];
    const twiceSigned = protocol.mailboxAuthTranscript(challenge.bytes, url, twice);
    expect(verify({ url, keys: twice, signatures: [one.sign(twiceSigned), one.sign(twiceSigned)] })).toMatchObject({ ok: false, failure: 'mailbox-keys' });
    expect(() => protocol.answerMailboxChallenge([], challenge, url)).toThrow(RangeError);
  });

  it('refuses small-order and non-canonical keys whatever the signature', () => {
    const identityPoint = new Uint8Array(32);
    identityPoint[0] = 1;
    // The identity point (order 1) with R = the identity and S = 0, which satisfies [S]B = R + [k]A for any message.
    const forged = new Uint8Array(64);
    forged.set(identityPoint);
    expect(verify({ url, keys: [identityPoint], signatures: [forged] })).toMatchObject({ ok: false, failure: 'signature' });
    const nonCanonical = new Uint8Array(32).fill(0xff);
    nonCanonical[31] = 0x7f;
    expect(verify({ url, keys: [nonCanonical], signatures: [new Uint8Array(64)] })).toMatchObject({ ok: false, failure: 'signature' });
  });

  it('refuses truncated and padded frames', () => {
    const frame = protocol.answerMailboxChallenge([mailbox(1)], challenge, url);
    for (const bad of [frame.subarray(0, frame.length - 1), Uint8Array.of(...frame, 0), Uint8Array.of(protocol.FRAME.MAILBOX_AUTH), Uint8Array.of(protocol.FRAME.MAILBOX_AUTH, 5, 0x61), Uint8Array.of(protocol.FRAME.MAILBOX_AUTH, 1, 0xff, 0)]) {
      expect(() => protocol.decodeClientFrame(bad)).toThrow(protocol.FrameError);
    }
    expect(() => protocol.encodeMailboxAuth({ url, keys: [new Uint8Array(32)], signatures: [] })).toThrow(protocol.FrameError);
    expect(() => protocol.encodeMailboxAuth({ url, keys: [new Uint8Array(31)], signatures: [new Uint8Array(64)] })).toThrow(protocol.FrameError);
  });
});
