import { randomFillSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { generateIdentity, seal, type Identity } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import { webSocketTransport } from '@herald/transport-websocket';
import { rawClient } from './helpers/raw-client.js';
import { repeatedTagEnvelope } from './helpers/repeated-tag.js';
import { removeTempDirs, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/** Every refusal is a close code or an error frame with a stable code, and the daemon stays up throughout. */
const LIMITS = {
  authTimeoutMs: 500,
  heartbeatIntervalMs: 500,
  maxConnections: 40,
  mailboxMaxEnvelopes: 5,
  depositsPerSecond: 20,
  depositBurst: 20,
  maxEnvelopeBytes: 64 * 1024,
  pauseBufferedBytes: 16 * 1024,
  maxBufferedBytes: 256 * 1024,
};

let relay: RelayProcess;
const { CLOSE_CODES, ERROR_CODES } = protocol;
const errorCode = (frame: ReturnType<typeof protocol.decodeRelayFrame>): number | undefined => (frame.type === 'error' ? frame.code : undefined);
/** Whether the frame answers deposit `requestId`: its ERROR, or an ACCEPTED that lists it. */
const answers = (frame: ReturnType<typeof protocol.decodeRelayFrame>, requestId: number): boolean =>
  (frame.type === 'error' && frame.requestId === requestId) || (frame.type === 'accepted' && frame.requestIds.includes(requestId));

beforeAll(async () => {
  relay = await spawnRelay({ config: LIMITS });
});
afterAll(async () => {
  await relay.kill('SIGTERM');
  await removeTempDirs();
});

async function expectAlive(): Promise<void> {
  expect((await relay.get('/healthz')).status).toBe(200);
  expect(relay.child.exitCode).toBeNull();
}

/** Earlier tests' connections close asynchronously; cases that count connections start from none. */
async function noConnections(): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await relay.metric('herald_relay_connections')) !== 0) {
    if (Date.now() > deadline) throw new Error('connections from earlier cases did not close');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function envelopeFor(to: Identity, from = generateIdentity()): Uint8Array {
  return seal(randomFillSync(new Uint8Array(200)), { from, to: to.card, contentType: 'application/octet-stream' });
}

describe('relay refusals (real relay process)', () => {
  it('closes on garbage, text and unknown frames with PROTOCOL_ERROR', async () => {
    for (const bytes of [randomFillSync(new Uint8Array(300)).fill(0x7f, 0, 1), 'hello', new Uint8Array(0), Uint8Array.of(protocol.FRAME.ACK, 1)]) {
      const client = await rawClient(relay.url);
      client.send(bytes);
      expect((await client.closed).code, `close code after ${String(bytes)}`).toBe(CLOSE_CODES.PROTOCOL_ERROR);
    }
    await expectAlive();
  });

  it('answers a deposit before authentication with NOT_AUTHENTICATED, keeping the connection', async () => {
    const client = await rawClient(relay.url);
    client.send(protocol.encodeDeposit(7, envelopeFor(generateIdentity())));
    const frame = await client.next((candidate) => candidate.type === 'error');
    expect(frame).toMatchObject({ type: 'error', code: ERROR_CODES.NOT_AUTHENTICATED, requestId: 7 });
    await client.authenticate(generateIdentity());
    client.socket.close();
  });

  it('refuses a replayed authentication, a forged mailbox proof and a URL signed for another relay with AUTH_FAILED', async () => {
    const alice = generateIdentity();
    const first = await rawClient(relay.url);
    const answer = protocol.answerChallenge(alice, first.challenge, protocol.canonicalRelayUrl(relay.url), true);
    first.send(answer);
    await first.next((frame) => frame.type === 'welcome');

    const replay = await rawClient(relay.url);
    replay.send(answer);
    expect((await replay.closed).code).toBe(CLOSE_CODES.AUTH_FAILED);

    // Mallory signs honestly with her own key but claims Bob's X25519 key: she cannot compute the MAC.
    const bob = generateIdentity();
    const mallory = generateIdentity();
    const forger = await rawClient(relay.url);
    const impostor = { ...mallory, card: { ...mallory.card, agreementPublicKey: bob.card.agreementPublicKey } } as Identity;
    forger.send(protocol.answerChallenge(impostor, forger.challenge, protocol.canonicalRelayUrl(relay.url), true));
    const forged = await forger.closed;
    expect(forged.code).toBe(CLOSE_CODES.AUTH_FAILED);
    expect(forged.reason).toContain('mailbox proof');

    const elsewhere = await rawClient(relay.url);
    elsewhere.send(protocol.answerChallenge(alice, elsewhere.challenge, 'ws://relay.example:7700/', false));
    expect((await elsewhere.closed).code).toBe(CLOSE_CODES.AUTH_FAILED);
    // Counted by reason, a closed set: a replay fails the signature (the challenge differs), a forgery the proof.
    expect(await relay.metric('herald_relay_auth_failures_total{reason="signature"}')).toBe(1);
    expect(await relay.metric('herald_relay_auth_failures_total{reason="mailbox-proof"}')).toBe(1);
    expect(await relay.metric('herald_relay_auth_failures_total{reason="url"}')).toBe(1);
    first.socket.close();
    await expectAlive();
  });

  it('closes a connection that never authenticates with AUTH_TIMEOUT', async () => {
    const client = await rawClient(relay.url);
    const started = Date.now();
    expect((await client.closed).code).toBe(CLOSE_CODES.AUTH_TIMEOUT);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses oversize envelopes with TOO_LARGE, oversize frames with 1009, and junk or a repeated routing tag with BAD_ENVELOPE', async () => {
    const client = await rawClient(relay.url);
    await client.authenticate(generateIdentity(), false);
    client.send(protocol.encodeDeposit(1, new Uint8Array(LIMITS.maxEnvelopeBytes + 100)));
    expect(errorCode(await client.next((frame) => frame.type === 'error' && frame.requestId === 1))).toBe(ERROR_CODES.TOO_LARGE);
    client.send(protocol.encodeDeposit(2, randomFillSync(new Uint8Array(500))));
    expect(errorCode(await client.next((frame) => frame.type === 'error' && frame.requestId === 2))).toBe(ERROR_CODES.BAD_ENVELOPE);
    // A header listing one routing tag twice is not a v1 envelope: refused, and filed in no mailbox, not even once.
    const stored = await relay.metric('herald_relay_mailbox_envelopes');
    client.send(protocol.encodeDeposit(4, repeatedTagEnvelope(generateIdentity())));
    expect(errorCode(await client.next((frame) => answers(frame, 4)))).toBe(ERROR_CODES.BAD_ENVELOPE);
    expect(await relay.metric('herald_relay_mailbox_envelopes')).toBe(stored);
    client.send(protocol.encodeDeposit(3, new Uint8Array(LIMITS.maxEnvelopeBytes + 200 * 1024)));
    expect((await client.closed).code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);
    await expectAlive();
  });

  it('enforces the mailbox quota (MAILBOX_FULL, QUOTA_EXCEEDED at the transport) and the per-connection rate limit', async () => {
    const bob = generateIdentity();
    const client = await rawClient(relay.url);
    await client.authenticate(generateIdentity(), false);
    for (let id = 1; id <= LIMITS.mailboxMaxEnvelopes + 1; id++) client.send(protocol.encodeDeposit(id, envelopeFor(bob)));
    const last = await client.next((frame) => answers(frame, LIMITS.mailboxMaxEnvelopes + 1));
    expect(errorCode(last)).toBe(ERROR_CODES.MAILBOX_FULL);

    const sender = webSocketTransport({ url: relay.url, identity: generateIdentity(), collect: false });
    await sender.start({ routingTags: [], deliver: async () => undefined });
    const envelope = envelopeFor(bob);
    const failure = await sender.send(envelope, { messageId: 'x', routingTags: [], expiresAt: 0 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'TransportError', code: 'QUOTA_EXCEEDED', retryable: true });
    await sender.stop();

    for (let id = 100; id < 100 + LIMITS.depositBurst + 10; id++) client.send(protocol.encodeDeposit(id, new Uint8Array(10)));
    const limited = await client.next((frame) => errorCode(frame) === ERROR_CODES.RATE_LIMITED);
    expect(limited.type).toBe('error');
    client.socket.close();
  });

  it('closes connections beyond maxConnections with TOO_MANY_CONNECTIONS', async () => {
    await noConnections();
    // Authenticated, so the short auth timeout does not free places while the test runs.
    const clients = await Promise.all(
      Array.from({ length: LIMITS.maxConnections }, async () => {
        const client = await rawClient(relay.url);
        await client.authenticate(generateIdentity(), false);
        return client;
      }),
    );
    const extra = new WebSocket(relay.url);
    extra.on('error', () => undefined);
    const refused = await new Promise<number>((resolve) => extra.on('close', (code) => resolve(code)));
    for (const client of clients) client.socket.terminate();
    expect(refused).toBe(CLOSE_CODES.TOO_MANY_CONNECTIONS);
    expect(await relay.metric('herald_relay_rejections_total{code="TOO_MANY_CONNECTIONS"}')).toBeGreaterThanOrEqual(1);
    await expectAlive();
  });

  it('drops a collector that never reads (SLOW_CONSUMER or HEARTBEAT_TIMEOUT) and keeps its mail', async () => {
    const bob = generateIdentity();
    const reader = await rawClient(relay.url);
    await reader.authenticate(bob);
    // Stop reading at the TCP level: nothing is read, not even pings.
    (reader.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const sender = await rawClient(relay.url);
    await sender.authenticate(generateIdentity(), false);
    for (let id = 1; id <= LIMITS.mailboxMaxEnvelopes; id++) sender.send(protocol.encodeDeposit(id, seal(randomFillSync(new Uint8Array(40_000)), { from: generateIdentity(), to: bob.card, contentType: 'application/octet-stream' })));
    await sender.next((frame) => answers(frame, LIMITS.mailboxMaxEnvelopes));
    const deadline = Date.now() + 10_000;
    let dropped = 0;
    while (Date.now() < deadline && dropped === 0) {
      dropped = ((await relay.metric('herald_relay_rejections_total{code="SLOW_CONSUMER"}')) ?? 0) + ((await relay.metric('herald_relay_rejections_total{code="HEARTBEAT_TIMEOUT"}')) ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(dropped).toBeGreaterThanOrEqual(1);
    reader.socket.terminate();
    // Bob, reading again, collects all of it.
    const again = await rawClient(relay.url);
    await again.authenticate(bob);
    await again.next(() => again.frames.filter((frame) => frame.type === 'push').length >= LIMITS.mailboxMaxEnvelopes);
    again.socket.close();
    sender.socket.close();
    await expectAlive();
  });

  it('stays up with bounded memory through a flood of garbage, oversize frames and failed authentications', async () => {
    const before = (await relay.metric('process_resident_memory_bytes'))!;
    for (let round = 0; round < 10; round++) {
      const clients = await Promise.all(Array.from({ length: 30 }, () => rawClient(relay.url).catch(() => undefined)));
      clients.forEach((client, index) => {
        if (!client) return;
        if (index % 3 === 0) client.send(randomFillSync(new Uint8Array(1000)));
        else if (index % 3 === 1) client.send(protocol.encodeDeposit(1, new Uint8Array(LIMITS.maxEnvelopeBytes + 100 * 1024)));
        else client.send(protocol.answerChallenge(generateIdentity(), client.challenge, 'ws://elsewhere.example/', true));
      });
      await Promise.all(clients.map((client) => client?.closed));
    }
    const after = (await relay.metric('process_resident_memory_bytes'))!;
    expect(after - before, `RSS grew from ${before} to ${after}`).toBeLessThan(64 * 1024 * 1024);
    await noConnections();
    await expectAlive();
  });
});
