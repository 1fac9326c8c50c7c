import { describe, expect, it } from 'vitest';
import { bucketLength, generateIdentity, seal } from '@herald/core';
import {
  decodePadded,
  encodeAck,
  encodeAuth,
  encodeDeposit,
  encodeCover,
  encodePadded,
  encodePush,
  FrameError,
  frameBucket,
  isFrameBucket,
  PADDED_FROM_CLIENT,
  PADDED_FROM_RELAY,
  PADDED_PRE_AUTH_MAX_FRAME_BYTES,
  PRE_AUTH_MAX_FRAME_BYTES,
} from '../src/relay/index.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('frame buckets (docs/relay-protocol.md 10.1)', () => {
  it('are 512, then the envelope buckets of protocol.md 7.8 plus 256', () => {
    const cases: [number, number][] = [
      [1, 512], [512, 512], [513, 768], [768, 768], [769, 1280], [1280, 1280], [1281, 2304],
      [4352, 4352], [4353, 8448], [16_640, 16_640], [16_641, 17_664], [1_048_576 + 11, 256 + 1_048_576], [1_048_576 + 256, 256 + 1_048_576], [1_048_576 + 257, 256 + 1_081_344],
    ];
    for (const [length, bucket] of cases) expect([length, frameBucket(length)]).toEqual([length, bucket]);
  });

  it('hold the padded frame of every padded one-recipient envelope in the bucket of its envelope bucket', () => {
    // A padded one-recipient v1 envelope is 70 bytes of header and tag around its bucket (protocol.md 7.8).
    for (const inner of [256, 512, 1024, 2048, 4096, 8192, 16_384, 17_408, 67_584, 1_015_808]) {
      const frame = 6 + 5 + inner + 70;
      expect(frameBucket(frame)).toBe(256 + inner === 512 ? 512 : inner + 256);
    }
  });

  it('are fixed points, and every length ≥ 1 maps to the smallest bucket that holds it', () => {
    for (let length = 1; length < 40_000; length += 7) {
      const bucket = frameBucket(length);
      expect(bucket).toBeGreaterThanOrEqual(length);
      expect(isFrameBucket(bucket)).toBe(true);
      if (length > 512) expect(bucket - 256).toBe(bucketLength(length - 257));
    }
    expect(isFrameBucket(1000)).toBe(false);
  });

  it('put control frames, an AUTH of two mailboxes and a short message in the smallest bucket (relay-protocol.md 10.1)', () => {
    const ids = (count: number): number[] => Array.from({ length: count }, (_, index) => index);
    expect(encodePadded(PADDED_FROM_CLIENT, encodeAck(ids(126))).length).toBe(512);
    expect(encodePadded(PADDED_FROM_CLIENT, encodeAck(ids(127))).length).toBe(768);
    const auth = (mailboxes: number): Uint8Array =>
      encodeAuth({ signingPublicKey: new Uint8Array(32), signature: new Uint8Array(64), url: `ws://${'h'.repeat(250)}`, proofs: ids(mailboxes).map(() => ({ agreementPublicKey: new Uint8Array(32), mac: new Uint8Array(32) })) });
    expect(auth(2).length).toBe(99 + 255 + 128);
    expect(encodePadded(PADDED_FROM_CLIENT, auth(2)).length).toBe(512);
    expect(encodePadded(PADDED_FROM_CLIENT, auth(3)).length).toBe(768);
    const alice = generateIdentity();
    const bob = generateIdentity();
    const deposit = (bodyBytes: number): number => encodePadded(PADDED_FROM_CLIENT, encodeDeposit(1, seal(new Uint8Array(bodyBytes), { from: alice, to: bob.card }))).length;
    expect(deposit(153)).toBe(512);
    expect(deposit(154)).toBe(768);
  });

  it('give the handshake a bucket before WELCOME: the largest pre-WELCOME frame (a MAILBOX_AUTH of 64 keys) padded', () => {
    expect(PRE_AUTH_MAX_FRAME_BYTES).toBe(6402);
    expect(PADDED_PRE_AUTH_MAX_FRAME_BYTES).toBe(frameBucket(PRE_AUTH_MAX_FRAME_BYTES + 6));
    expect(PADDED_PRE_AUTH_MAX_FRAME_BYTES).toBe(8448);
  });
});

describe('PADDED frames', () => {
  it('encode byte for byte as the vector of the protocol document', () => {
    const padded = encodePadded(PADDED_FROM_CLIENT, encodeAck(0x01020304));
    expect(padded.length).toBe(512);
    expect(hex(padded.subarray(0, 11))).toBe('1800000000051201020304');
    expect(padded.subarray(11).every((byte) => byte === 0)).toBe(true);
    const cover = encodeCover(PADDED_FROM_CLIENT, 512, true);
    expect(hex(cover.subarray(0, 6))).toBe('180100000000');
    expect(cover.length).toBe(512);
  });

  it('round-trip real frames and tell cover apart', () => {
    const push = encodePush(7, new Uint8Array(1000).fill(9));
    const padded = encodePadded(PADDED_FROM_RELAY, push);
    expect(padded.length).toBe(1280);
    expect(decodePadded(PADDED_FROM_RELAY, padded)).toEqual({ cover: false, frame: push });
    expect(decodePadded(PADDED_FROM_CLIENT, encodeCover(PADDED_FROM_CLIENT, 768, true))).toEqual({ cover: true, echo: true, bytes: 768 });
    expect(decodePadded(PADDED_FROM_RELAY, encodeCover(PADDED_FROM_RELAY, 512))).toEqual({ cover: true, echo: false, bytes: 512 });
    // A sender may pad a frame into a larger bucket (as large as its cover frames).
    expect(encodePadded(PADDED_FROM_CLIENT, encodeAck(1), 768).length).toBe(768);
  });

  it('refuse malformed padding with a FrameError (the protocol error)', () => {
    const good = encodePadded(PADDED_FROM_CLIENT, encodeAck(1));
    const bad = (mutate: (bytes: Uint8Array) => Uint8Array): (() => unknown) => () => decodePadded(PADDED_FROM_CLIENT, mutate(good.slice()));
    expect(bad((b) => ((b[300] = 1), b))).toThrow(FrameError); // padding not all zeros
    expect(bad((b) => b.subarray(0, 511))).toThrow(/not a frame bucket/);
    expect(bad((b) => ((b[5] = 0xff), (b[4] = 0xff), b))).toThrow(/says/); // inner length past the end
    expect(bad((b) => ((b[1] = 0x02), b))).toThrow(/flags/);
    expect(bad((b) => ((b[1] = 0x01), b))).toThrow(/flags/); // echo on a real frame
    expect(bad((b) => ((b[0] = 0x08), b))).toThrow(/expected a PADDED frame/);
    expect(decodePadded(PADDED_FROM_RELAY, encodeCover(PADDED_FROM_RELAY, 512, true))).toEqual({ cover: true, echo: true, bytes: 512 });
    expect(() => decodePadded(PADDED_FROM_CLIENT, encodePadded(PADDED_FROM_CLIENT, encodePadded(PADDED_FROM_CLIENT, encodeAck(1))))).toThrow(/inside/);
    expect(() => decodePadded(PADDED_FROM_CLIENT, new Uint8Array(3))).toThrow(FrameError);
    expect(() => encodeCover(PADDED_FROM_CLIENT, 600)).toThrow(/frame bucket/);
  });
});
