import { afterAll, describe, expect, it } from 'vitest';
import { generateIdentity, seal, toHex, type Identity, type InboundEnvelope } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import { webSocketTransport, type WebSocketTransportInit } from '@herald/transport-websocket';
import { until } from './helpers/nodes.js';
import { rawClient } from './helpers/raw-client.js';
import { removeTempDirs, spawnRelay, type RelayProcess } from './helpers/relay-process.js';
import { startWsTap, type TappedFrame, type WsTap } from './helpers/ws-tap.js';

/**
 * Traffic shape (docs/relay-protocol.md 10, threat-model.md 10.4): what an observer of frame lengths learns, seen
 * by a tap between real transports and a real relay process.
 */
const relays: RelayProcess[] = [];
const taps: WsTap[] = [];
afterAll(async () => {
  for (const tap of taps) await tap.close();
  for (const relay of relays) await relay.kill('SIGKILL');
  await removeTempDirs();
});

/** A relay whose public URL is a tap in front of it. */
async function tappedRelay(config: Record<string, unknown> = {}): Promise<{ relay: RelayProcess; tap: WsTap }> {
  const tap = await startWsTap();
  taps.push(tap);
  const relay = await spawnRelay({ args: ['--public-url', tap.url], config });
  relays.push(relay);
  tap.forwardTo(relay.port);
  return { relay, tap };
}

const QUICK = { heartbeatIntervalMs: 60_000, heartbeatTimeoutMs: 120_000, minReconnectDelayMs: 50, maxReconnectDelayMs: 300 } as const;
type Shape = Pick<WebSocketTransportInit, 'padding' | 'coverTraffic'>;

/** A sender (no mailbox) and a receiver through the tap; the sender connects first, so it is the tap's connection `first`. */
async function pair(url: string, senderShape: Shape, receiverShape: Shape) {
  const alice = generateIdentity();
  const bob = generateIdentity();
  const got: InboundEnvelope[] = [];
  const sender = webSocketTransport({ url, identity: alice, collect: false, ...QUICK, ...senderShape });
  const receiver = webSocketTransport({ url, identity: bob, ...QUICK, ...receiverShape });
  await sender.start({ routingTags: [], deliver: async () => undefined });
  expect(sender.health().state, sender.health().reason).toBe('up');
  await receiver.start({ routingTags: [toHex(bob.card.routingTag)], deliver: async (envelope) => void got.push(envelope) });
  expect(receiver.health().state, receiver.health().reason).toBe('up');
  const send = async (text: string, to: Identity = bob): Promise<void> => {
    const before = got.length;
    await sender.send(seal(text, { from: alice, to: to.card }), { messageId: '', routingTags: [], expiresAt: 0 });
    await until('the envelope pushed and acknowledged', () => got.length > before);
  };
  return { got, send, stop: () => Promise.all([sender.stop(), receiver.stop()]) };
}

const isData = (frame: TappedFrame): boolean => frame.opcode <= 2;
const dataFrames = (tap: WsTap, connection?: number): TappedFrame[] => tap.frames.filter((frame) => isData(frame) && (connection === undefined || frame.connection === connection));
const sizes = (frames: readonly TappedFrame[]): number[] => [...new Set(frames.map((frame) => frame.length))].sort((a, b) => a - b);
const lastConnection = (tap: WsTap): number => Math.max(0, ...tap.frames.map((frame) => frame.connection));

describe('padded frames', () => {
  it('put every frame, both ways, handshake included, in a frame bucket; unpadded, control frames show their own lengths', async () => {
    const { tap } = await tappedRelay();
    const first = lastConnection(tap) + 1;
    const { send, stop } = await pair(tap.url, { padding: 'required' }, { padding: 'required' });
    await send('hi');
    await send('x'.repeat(300));
    await send('y'.repeat(3000));
    await stop();
    const padded = tap.frames.filter((frame) => isData(frame) && frame.connection >= first);
    expect(padded.length).toBeGreaterThan(10);
    for (const frame of padded) expect([frame.from, frame.length, protocol.isFrameBucket(frame.length)]).toEqual([frame.from, frame.length, true]);
    // CHALLENGE, AUTH, WELCOME, ACCEPTED, ACK and a short message's DEPOSIT and PUSH all share the smallest bucket.
    expect(sizes(padded.filter((frame) => frame.from === 'relay'))).toEqual([512, 768, 4352]);
    expect(sizes(padded.filter((frame) => frame.from === 'client'))).toEqual([512, 768, 4352]);

    // The same exchange unpadded (a client that turned padding off) shows CHALLENGE, ACK, ACCEPTED by their lengths.
    const plainFirst = lastConnection(tap) + 1;
    const plain = await pair(tap.url, { padding: 'off' }, { padding: 'off' });
    await plain.send('hi');
    await plain.stop();
    const plainSizes = sizes(tap.frames.filter((frame) => isData(frame) && frame.connection >= plainFirst));
    expect(plainSizes).toContain(protocol.CHALLENGE_FRAME_BYTES);
    expect(plainSizes).toContain(5); // an ACK or ACCEPTED of one id
    expect(plainSizes.some((length) => !protocol.isFrameBucket(length))).toBe(true);
  });

  it('refuses malformed padding, and an unpadded frame on a padded connection, with close 4000', async () => {
    const { tap } = await tappedRelay();
    const identity = generateIdentity();
    const dirty = await rawClient(tap.url, { padded: true });
    await dirty.authenticate(identity);
    const frame = protocol.encodePadded(protocol.PADDED_FROM_CLIENT, protocol.encodeAck(1));
    frame[511] = 1;
    dirty.sendWire(frame);
    expect((await dirty.closed).code).toBe(protocol.CLOSE_CODES.PROTOCOL_ERROR);
    const bare = await rawClient(tap.url, { padded: true });
    bare.sendWire(protocol.answerChallenge(identity, bare.challenge, protocol.canonicalRelayUrl(tap.url), true));
    expect((await bare.closed).code).toBe(protocol.CLOSE_CODES.PROTOCOL_ERROR);
  });
  it('takes the largest CERTIFICATE padded before WELCOME (4 352 bytes), and cuts a frame above the padded pre-WELCOME limit (1009)', async () => {
    const { tap } = await tappedRelay();
    const certified = await rawClient(tap.url, { padded: true });
    certified.send(protocol.encodeCertificate(new Uint8Array(protocol.MAX_CERTIFICATE_CHAIN_BYTES)));
    await certified.authenticate(generateIdentity());
    certified.socket.close();
    expect(tap.frames.some((frame) => frame.from === 'client' && frame.length === protocol.frameBucket(1 + protocol.MAX_CERTIFICATE_CHAIN_BYTES + protocol.PADDED_HEADER_BYTES))).toBe(true);
    const oversized = await rawClient(tap.url, { padded: true });
    oversized.sendWire(protocol.encodePadded(protocol.PADDED_FROM_CLIENT, protocol.encodeAck(1), protocol.PADDED_PRE_AUTH_MAX_FRAME_BYTES + 1));
    expect((await oversized.closed).code).toBe(1009);
  });
});

describe('cover traffic', () => {
  it('flows both ways at the configured rate while idle, in the sizes real frames take, and is never delivered', async () => {
    // The relay's own cover at the rate the transport asks (the default cap, 600, would halve it: "sent" below 10 one run in 200).
    const { tap, relay } = await tappedRelay({ coverMaxFramesPerMinute: 1200 });
    const alice = lastConnection(tap) + 1;
    const { got, send, stop } = await pair(tap.url, { coverTraffic: { framesPerMinute: 1200 } }, {});
    const idleFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const idle = dataFrames(tap, alice).filter((frame) => frame.at >= idleFrom);
    // 20 a second for 1.5 s: about 30 each way (Poisson); far fewer means the cover stopped.
    expect(idle.filter((frame) => frame.from === 'client').length).toBeGreaterThanOrEqual(10);
    expect(idle.filter((frame) => frame.from === 'relay').length).toBeGreaterThanOrEqual(10);
    expect(sizes(idle)).toEqual([512]);
    const sendFrom = Date.now();
    await send('a short message');
    const during = dataFrames(tap, alice).filter((frame) => frame.at >= sendFrom);
    // The DEPOSIT and its ACCEPTED are in the cover's one size: by length, the send looks like more cover.
    expect(sizes(during)).toEqual([512]);
    expect(got.length).toBe(1);
    await stop();
    expect(await relay.metric('herald_relay_cover_frames_total{fate="echoed"}')).toBeGreaterThanOrEqual(10);
    // The relay's own cover, which the transport answers as it answers a push.
    expect(await relay.metric('herald_relay_cover_frames_total{fate="sent"}')).toBeGreaterThanOrEqual(10);
  });

  it('comes from the relay too, at the rate the client asks, capped by coverMaxFramesPerMinute', async () => {
    const { tap, relay } = await tappedRelay({ coverMaxFramesPerMinute: 60 });
    const asking = await rawClient(`${tap.url}?${protocol.COVER_QUERY_PARAMETER}=1200`, { padded: true });
    await asking.authenticate(generateIdentity());
    asking.sendWire(protocol.encodeCover(protocol.PADDED_FROM_CLIENT, 1280));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // At most 60 a minute: about 2 in 2 s; 9 would be a Poisson(2) tail of 2·10⁻⁴, and 1 200 a minute gives 40.
    expect(asking.covers.length).toBeLessThanOrEqual(8);
    // A counter with no sample yet is not exported: the relay sent none (a Poisson(2) draw of 0, about 1 run in 7).
    expect((await relay.metric('herald_relay_cover_frames_total{fate="sent"}')) ?? 0).toBe(asking.covers.length);
    asking.socket.close();

    // The cap raised to what the client asks (the default, 600, would be 10 a second: fewer than 10 in 1.5 s one run in 14).
    const { tap: busyTap } = await tappedRelay({ coverMaxFramesPerMinute: 1200 });
    const busy = await rawClient(`${busyTap.url}?${protocol.COVER_QUERY_PARAMETER}=1200`, { padded: true });
    await busy.authenticate(generateIdentity());
    busy.sendWire(protocol.encodeCover(protocol.PADDED_FROM_CLIENT, 1280));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // 20 a second: about 30 (fewer than 10 is a Poisson(30) tail of 10⁻⁵); each as long as the client's own last cover frame.
    expect(busy.covers.length).toBeGreaterThanOrEqual(10);
    // Before the client's cover frame reaches it the relay sends the smallest bucket; from then on, that frame's length.
    const first = busy.covers.indexOf(1280);
    expect(first, `cover sizes ${busy.covers.join(' ')}`).toBeGreaterThanOrEqual(0);
    expect(new Set(busy.covers.slice(0, first)), `cover sizes ${busy.covers.join(' ')}`).toEqual(new Set(first === 0 ? [] : [512]));
    expect(new Set(busy.covers.slice(first)), `cover sizes ${busy.covers.join(' ')}`).toEqual(new Set([1280]));
    expect(busy.covers.length - first).toBeGreaterThanOrEqual(5);
    busy.socket.close();
  });

  it('is echoed at most at the connection’s deposit rate, never before WELCOME, and not at all with coverEcho off', async () => {
    const { tap, relay } = await tappedRelay({ depositsPerSecond: 1, depositBurst: 5 });
    const client = await rawClient(tap.url, { padded: true });
    client.sendWire(protocol.encodeCover(protocol.PADDED_FROM_CLIENT, 512, true));
    await client.authenticate(generateIdentity());
    for (let index = 0; index < 40; index++) client.sendWire(protocol.encodeCover(protocol.PADDED_FROM_CLIENT, 768, true));
    await until('the relay to have read every cover frame', async () => (await relay.metric('herald_relay_cover_frames_total{fate="received"}')) === 41, 5000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The burst of 5 tokens, and at most one more refilled meanwhile; each echo as long as its cover frame.
    expect(client.covers.length).toBeGreaterThanOrEqual(5);
    expect(client.covers.length).toBeLessThanOrEqual(7);
    expect(new Set(client.covers)).toEqual(new Set([768]));
    expect(await relay.metric('herald_relay_cover_frames_total{fate="dropped"}')).toBe(41 - client.covers.length);
    client.socket.close();

    const { tap: quietTap } = await tappedRelay({ coverEcho: false });
    const quiet = await rawClient(`${quietTap.url}?${protocol.COVER_QUERY_PARAMETER}=6000`, { padded: true });
    await quiet.authenticate(generateIdentity());
    for (let index = 0; index < 5; index++) quiet.sendWire(protocol.encodeCover(protocol.PADDED_FROM_CLIENT, 512, true));
    await quiet.deposit(1, seal('after the cover', { from: generateIdentity(), to: generateIdentity().card }));
    expect(quiet.covers).toEqual([]);
    quiet.socket.close();
  });
});

describe('interoperation', () => {
  it('a padding client talks unpadded to a relay that does not pad, unless it requires padding', async () => {
    const { tap } = await tappedRelay({ padding: false });
    const first = lastConnection(tap) + 1;
    const { send, stop } = await pair(tap.url, { padding: 'preferred', coverTraffic: { framesPerMinute: 600 } }, {});
    await send('to a relay without padding');
    await stop();
    const seen = sizes(dataFrames(tap).filter((frame) => frame.connection >= first));
    expect(seen).toContain(protocol.CHALLENGE_FRAME_BYTES);
    expect(seen.some((length) => !protocol.isFrameBucket(length))).toBe(true);

    const strict = webSocketTransport({ url: tap.url, identity: generateIdentity(), padding: 'required', ...QUICK, minReconnectDelayMs: 5000, maxReconnectDelayMs: 5000 });
    await strict.start({ routingTags: [], deliver: async () => undefined });
    expect(strict.health()).toMatchObject({ state: 'down', reason: expect.stringContaining('does not pad') });
    await strict.stop();
  });

  it('a client that does not ask (an older one) gets the unpadded protocol from a padding relay', async () => {
    const { tap } = await tappedRelay();
    const old = await rawClient(tap.url);
    expect(old.challenge.bytes.length).toBe(protocol.CHALLENGE_FRAME_BYTES);
    await old.authenticate(generateIdentity());
    expect(await old.deposit(1, seal('old style', { from: generateIdentity(), to: generateIdentity().card }))).toBe('ACCEPTED');
    old.socket.close();
    expect(sizes(dataFrames(tap))).toContain(protocol.CHALLENGE_FRAME_BYTES);
  });
});
