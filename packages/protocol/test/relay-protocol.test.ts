import sodium from 'libsodium-wrappers-sumo';
import { describe, expect, it } from 'vitest';
import { generateIdentity, routingTagFor, toHex } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import { corkingSender, MAX_CORKED_BYTES, type FrameSocket } from '@herald/protocol/relay';

await sodium.ready;

const challenge = (): Parameters<typeof protocol.answerChallenge>[1] => {
  const fields = { version: 1, relayId: new Uint8Array(16).fill(1), challenge: new Uint8Array(32).fill(2), relayKey: new Uint8Array(32), maxEnvelopeBytes: 1 << 20 };
  return { ...fields, bytes: protocol.encodeChallenge(fields) };
};

describe('relay protocol codec', () => {
  it('carries the relay time in WELCOME byte-exactly, and still reads the 2-byte WELCOME', () => {
    const timed = protocol.encodeWelcome(3, 0x010203040506);
    // 0x02, mailboxes, then ms since the epoch as u64 big-endian (docs/relay-protocol.md, section 2).
    expect(toHex(timed)).toBe('02030000010203040506');
    expect(timed.length).toBe(protocol.TIMED_WELCOME_FRAME_BYTES);
    expect(protocol.decodeRelayFrame(timed)).toEqual({ type: 'welcome', mailboxes: 3, relayTimeMs: 0x010203040506 });
    expect(protocol.decodeRelayFrame(Uint8Array.of(2, 1))).toEqual({ type: 'welcome', mailboxes: 1 });
    for (const length of [3, 9, 11]) expect(() => protocol.decodeRelayFrame(new Uint8Array(length).fill(2))).toThrow(protocol.FrameError);
  });

  it('round-trips every frame', () => {
    const c = challenge();
    expect(c.bytes.length).toBe(protocol.CHALLENGE_FRAME_BYTES);
    expect(protocol.decodeRelayFrame(c.bytes)).toMatchObject({ type: 'challenge', version: 1, maxEnvelopeBytes: 1 << 20 });
    expect(protocol.decodeRelayFrame(protocol.encodeWelcome(1))).toEqual({ type: 'welcome', mailboxes: 1 });
    expect(protocol.decodeRelayFrame(protocol.encodeAccepted(0xfffffffe))).toEqual({ type: 'accepted', requestIds: [0xfffffffe] });
    expect(protocol.decodeRelayFrame(protocol.encodeAccepted([1, 7, 0xffffffff]))).toEqual({ type: 'accepted', requestIds: [1, 7, 0xffffffff] });
    expect(protocol.decodeRelayFrame(protocol.encodeError(5, 9, 'full'))).toEqual({ type: 'error', code: 5, requestId: 9, text: 'full' });
    expect(protocol.decodeRelayFrame(protocol.encodePush(3, Uint8Array.of(1, 2, 3)))).toMatchObject({ type: 'push', deliveryId: 3, envelope: Uint8Array.of(1, 2, 3) });
    expect(protocol.decodeClientFrame(protocol.encodeDeposit(4, Uint8Array.of(9)))).toMatchObject({ type: 'deposit', requestId: 4, envelope: Uint8Array.of(9) });
    expect(protocol.decodeClientFrame(protocol.encodeAck(8))).toEqual({ type: 'ack', deliveryIds: [8] });
    // The largest chain a relay reads before WELCOME, and no more.
    expect(protocol.decodeClientFrame(protocol.encodeCertificate(new Uint8Array(protocol.MAX_CERTIFICATE_CHAIN_BYTES)))).toMatchObject({ type: 'certificate' });
    expect(() => protocol.decodeClientFrame(protocol.encodeCertificate(new Uint8Array(protocol.MAX_CERTIFICATE_CHAIN_BYTES + 1)))).toThrow(protocol.FrameError);
    expect(protocol.encodeCertificate(new Uint8Array(protocol.MAX_CERTIFICATE_CHAIN_BYTES)).length).toBeLessThanOrEqual(protocol.PRE_AUTH_MAX_FRAME_BYTES);
    // REVOCATIONS: request id, then the list as it is (the relay verifies it).
    expect(protocol.decodeClientFrame(protocol.encodeRevocations(7, Uint8Array.of(0x48, 0x52, 0x4c)))).toEqual({ type: 'revocations', requestId: 7, list: Uint8Array.of(0x48, 0x52, 0x4c) });
    expect(Buffer.from(protocol.encodeRevocations(0x01020304, Uint8Array.of(9))).toString('hex')).toBe('140102030409');
    const many = Array.from({ length: protocol.MAX_IDS_PER_FRAME }, (_, index) => index + 1);
    expect(protocol.decodeClientFrame(protocol.encodeAck(many))).toEqual({ type: 'ack', deliveryIds: many });
    expect(Buffer.from(protocol.encodeAck([1, 0x01020304])).toString('hex')).toBe('120000000101020304');
    // An error text is cut at 200 bytes, on a character boundary.
    const long = protocol.decodeRelayFrame(protocol.encodeError(1, 1, 'é'.repeat(150)));
    expect(long.type === 'error' && long.text).toBe('é'.repeat(100));
  });

  it('carries the prekey directory frames byte for byte (docs/relay-protocol.md 4.3)', () => {
    const tag = Uint8Array.from({ length: 16 }, (_, index) => index);
    // Test vectors of the doc: PREKEYS_GET, PREKEYS_PUT with a 2-byte body, PREKEYS with and without a bundle.
    expect(Buffer.from(protocol.encodePrekeysGet(0x01020304, tag)).toString('hex')).toBe('1601020304000102030405060708090a0b0c0d0e0f');
    expect(Buffer.from(protocol.encodePrekeysPut(7, tag, Uint8Array.of(0xaa, 0xbb))).toString('hex')).toBe('1500000007000102030405060708090a0b0c0d0e0faabb');
    expect(Buffer.from(protocol.encodePrekeys(7, Uint8Array.of(0xaa))).toString('hex')).toBe('0600000007aa');
    expect(Buffer.from(protocol.encodePrekeys(7, new Uint8Array(0))).toString('hex')).toBe('0600000007');
    expect(Buffer.from(protocol.encodePrekeysHeld(7, 300)).toString('hex')).toBe('0700000007012c');
    expect(protocol.decodeRelayFrame(protocol.encodePrekeysHeld(7, 300))).toEqual({ type: 'prekeys-held', requestId: 7, oneTime: 300 });
    expect(() => protocol.decodeRelayFrame(protocol.encodePrekeysHeld(7, 1).subarray(0, 6))).toThrow(protocol.FrameError);
    expect(protocol.decodeClientFrame(protocol.encodePrekeysGet(9, tag))).toEqual({ type: 'prekeys-get', requestId: 9, routingTag: tag });
    expect(protocol.decodeClientFrame(protocol.encodePrekeysPut(9, tag, Uint8Array.of(1, 2)))).toEqual({ type: 'prekeys-put', requestId: 9, routingTag: tag, bundle: Uint8Array.of(1, 2) });
    expect(protocol.decodeRelayFrame(protocol.encodePrekeys(9, Uint8Array.of(3)))).toEqual({ type: 'prekeys', requestId: 9, bundle: Uint8Array.of(3) });
    expect(protocol.decodeRelayFrame(protocol.encodePrekeys(9, new Uint8Array(0)))).toEqual({ type: 'prekeys', requestId: 9, bundle: new Uint8Array(0) });
    expect(() => protocol.encodePrekeysGet(1, new Uint8Array(15))).toThrow(protocol.FrameError);
    expect(() => protocol.encodePrekeysPut(1, tag, new Uint8Array(0))).toThrow(protocol.FrameError);
    const get = protocol.encodePrekeysGet(1, tag);
    for (const bad of [get.subarray(0, 20), Uint8Array.of(...get, 0), protocol.encodePrekeysPut(1, tag, Uint8Array.of(1)).subarray(0, 21)]) expect(() => protocol.decodeClientFrame(bad)).toThrow(protocol.FrameError);
    expect(() => protocol.decodeRelayFrame(Uint8Array.of(protocol.FRAME.PREKEYS, 0, 0, 0))).toThrow(protocol.FrameError);
  });

  it('refuses truncated, padded and unknown frames', () => {
    const tooMany = new Uint8Array(1 + 4 * (protocol.MAX_IDS_PER_FRAME + 1));
    tooMany[0] = protocol.FRAME.ACK;
    expect(() => protocol.encodeAck([])).toThrow(protocol.FrameError);
    expect(() => protocol.encodeAccepted(new Array<number>(protocol.MAX_IDS_PER_FRAME + 1).fill(1))).toThrow(protocol.FrameError);
    for (const bytes of [new Uint8Array(0), Uint8Array.of(0x7f), Uint8Array.of(protocol.FRAME.ACK, 0, 0), Uint8Array.of(protocol.FRAME.ACK), Uint8Array.of(protocol.FRAME.ACK, 0, 0, 0, 1, 0), tooMany, Uint8Array.of(protocol.FRAME.ACCEPTED), Uint8Array.of(protocol.FRAME.ACCEPTED, 0, 0, 0, 1, 2, 3), Uint8Array.of(protocol.FRAME.WELCOME, 1, 2), challenge().bytes.subarray(0, 40), Uint8Array.of(protocol.FRAME.AUTH, 1), Uint8Array.of(protocol.FRAME.REVOCATIONS, 0, 0, 0, 1)]) {
      expect(() => (bytes[0] !== undefined && bytes[0] >= 0x10 ? protocol.decodeClientFrame(bytes) : protocol.decodeRelayFrame(bytes))).toThrow(protocol.FrameError);
    }
  });

  it('authenticates and proves the mailbox, and nothing verifies under another challenge, URL or key', () => {
    const alice = generateIdentity();
    const relaySecret = new Uint8Array(32).fill(7);
    const fields = { ...challenge(), relayKey: sodium.crypto_scalarmult_base(relaySecret) };
    const sent = { ...fields, bytes: protocol.encodeChallenge(fields) };
    const url = 'ws://127.0.0.1:7700/';
    const auth = protocol.decodeClientFrame(protocol.answerChallenge(alice, sent, url, true));
    if (auth.type !== 'auth') throw new Error('not an AUTH frame');
    const verdict = protocol.verifyAuth(auth, sent.bytes, relaySecret, (signed) => signed === url);
    expect(verdict).toMatchObject({ ok: true, tags: [toHex(routingTagFor(alice.card.agreementPublicKey))] });
    const other = protocol.encodeChallenge({ ...fields, challenge: new Uint8Array(32).fill(3) });
    expect(protocol.verifyAuth(auth, other, relaySecret, () => true)).toEqual({ ok: false, reason: 'the signature does not verify', failure: 'signature' });
    expect(protocol.verifyAuth(auth, sent.bytes, relaySecret, () => false)).toEqual({ ok: false, reason: 'the signed URL does not name this relay', failure: 'url' });
    // The MAC is bound to the relay's ephemeral key: with another secret it fails.
    expect(protocol.verifyAuth(auth, sent.bytes, new Uint8Array(32).fill(8), () => true)).toEqual({ ok: false, reason: 'a mailbox proof does not verify', failure: 'mailbox-proof' });
  });
});

describe('corkingSender', () => {
  it('holds the frames of one pass in the corked socket, and flush sends them at once', async () => {
    const written: string[] = [];
    let corks = 0;
    const tcp = { cork: () => void corks++, uncork: () => void (corks > 0 && corks-- === 1 && written.push('uncorked')) };
    const socket = { _socket: tcp, send: (frame: Uint8Array) => void written.push(`frame ${frame[0]}`) } as unknown as FrameSocket;
    const send = corkingSender(socket);
    send(Uint8Array.of(1));
    send(Uint8Array.of(2));
    expect(corks).toBe(1);
    send.flush();
    expect(corks).toBe(0);
    expect(written).toEqual(['frame 1', 'frame 2', 'uncorked']);
    // Corked again in the same pass: the first pass's pending uncork must not release this one early.
    send(Uint8Array.of(3));
    expect(corks).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(corks).toBe(0);
    expect(written).toEqual(['frame 1', 'frame 2', 'uncorked', 'frame 3', 'uncorked']);
  });

  it('sends a burst in pieces of at most MAX_CORKED_BYTES instead of holding it to the end of the pass', () => {
    const written: string[] = [];
    let corked = false;
    const tcp = { cork: () => void (corked = true), uncork: () => void (corked && written.push('uncorked'), (corked = false)) };
    const socket = { _socket: tcp, send: (frame: Uint8Array) => void written.push(`frame ${frame.length}`) } as unknown as FrameSocket;
    const send = corkingSender(socket);
    const piece = MAX_CORKED_BYTES / 4;
    for (let count = 0; count < 9; count++) send(new Uint8Array(piece));
    // Four frames fill a piece; the ninth waits in the cork for the end of the pass.
    const frame = `frame ${piece}`;
    expect(written).toEqual([frame, frame, frame, frame, 'uncorked', frame, frame, frame, frame, 'uncorked', frame]);
    expect(corked).toBe(true);
    // A frame bigger than a piece leaves at once.
    send.flush();
    send(new Uint8Array(MAX_CORKED_BYTES + 1));
    expect(written.slice(-3)).toEqual(['uncorked', `frame ${MAX_CORKED_BYTES + 1}`, 'uncorked']);
    expect(corked).toBe(false);
  });
});
