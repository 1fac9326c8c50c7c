import { readFile } from 'node:fs/promises';
import { randomFillSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { generateIdentity, seal } from '@herald/core';
import { MAX_CERTIFICATE_BYTES, MAX_CHAIN_LENGTH, issueRevocationList } from '@herald/trust';
import { relayProtocol as protocol } from '@herald/protocol';
import { publishRevocations } from '@herald/transport-websocket';
import { halfOpenSocket, type HalfOpenSocket } from './helpers/half-open.js';
import { startNode, until } from './helpers/nodes.js';
import { rawClient, type RawClient } from './helpers/raw-client.js';
import { removeTempDirs, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/** Unauthenticated connections hold almost nothing: small frames before WELCOME, and few of them (threat model 10.4). */
const { CLOSE_CODES, PRE_AUTH_MAX_FRAME_BYTES } = protocol;
const relays: RelayProcess[] = [];
const sockets: HalfOpenSocket[] = [];
const clients: RawClient[] = [];

afterAll(async () => {
  for (const { socket } of sockets.splice(0)) socket.destroy();
  for (const client of clients.splice(0)) client.socket.terminate();
  for (const relay of relays.splice(0)) await relay.kill('SIGTERM');
  await removeTempDirs();
});

async function relayWith(config: Record<string, unknown>): Promise<RelayProcess> {
  const relay = await spawnRelay({ config });
  relays.push(relay);
  return relay;
}

async function raw(url: string, localAddress: string): Promise<RawClient> {
  const client = await rawClient(url, { localAddress });
  clients.push(client);
  return client;
}

/** The relay child's resident memory, from the kernel. */
async function rssBytes(relay: RelayProcess): Promise<number> {
  const status = await readFile(`/proc/${relay.child.pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error('no VmRSS in /proc status');
  return Number(kib) * 1024;
}

/**
 * A REVOCATIONS frame of exactly `size` bytes: a relay that does not admit by certificate reads it, answers one small
 * NOT_ALLOWED and keeps the connection (the largest CERTIFICATE is below the cap, which the largest MAILBOX_AUTH sets).
 */
const revocationsFrame = (size: number): Uint8Array => protocol.encodeRevocations(1, randomFillSync(new Uint8Array(size - 5)));

describe('before WELCOME (real relay process)', () => {
  it('sizes the pre-WELCOME frame cap from the largest AUTH, MAILBOX_AUTH and certificate chain', () => {
    expect(protocol.MAX_CERTIFICATE_CHAIN_BYTES).toBe(1 + MAX_CHAIN_LENGTH * (2 + MAX_CERTIFICATE_BYTES));
    expect(PRE_AUTH_MAX_FRAME_BYTES).toBe(Math.max(protocol.MAX_AUTH_FRAME_BYTES, protocol.MAX_MAILBOX_AUTH_FRAME_BYTES, 1 + protocol.MAX_CERTIFICATE_CHAIN_BYTES));
    expect(PRE_AUTH_MAX_FRAME_BYTES).toBe(6402);
  });

  it('cuts a frame above the cap before WELCOME, takes one at the cap, and takes large deposits after WELCOME', async () => {
    const relay = await relayWith({ maxEnvelopeBytes: 256 * 1024 });
    const over = await raw(relay.url, '127.0.0.1');
    over.send(revocationsFrame(PRE_AUTH_MAX_FRAME_BYTES + 1));
    expect((await over.closed).code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);

    const client = await raw(relay.url, '127.0.0.1');
    client.send(revocationsFrame(PRE_AUTH_MAX_FRAME_BYTES));
    const alice = generateIdentity();
    await client.authenticate(alice);
    const envelope = seal(randomFillSync(new Uint8Array(200 * 1024)), { from: generateIdentity(), to: alice.card, contentType: 'application/octet-stream' });
    expect(envelope.length).toBeGreaterThan(25 * PRE_AUTH_MAX_FRAME_BYTES);
    client.send(protocol.encodeDeposit(7, envelope));
    const answer = await client.next((frame) => (frame.type === 'accepted' && frame.requestIds.includes(7)) || (frame.type === 'error' && frame.requestId === 7));
    expect(answer.type).toBe('accepted');
    expect((await relay.metric('herald_relay_rejections_total{code="MESSAGE_TOO_BIG"}')) ?? 0).toBe(1);
  });

  it('answers a REVOCATIONS frame with NOT_ALLOWED when it does not admit by certificate, and a list too large for the pre-AUTH cap is refused before it is sent', async () => {
    const relay = await relayWith({});
    const list = issueRevocationList({ issuer: generateIdentity({ label: 'Mission X' }), serial: 1, entries: [] });
    await expect(publishRevocations({ url: relay.url, list: list.bytes })).rejects.toMatchObject({ code: 'CHANNEL_REJECTED', message: expect.stringContaining('NOT_ALLOWED') });
    expect(() => publishRevocations({ url: relay.url, list: new Uint8Array(PRE_AUTH_MAX_FRAME_BYTES) })).toThrow('--admit-revocations file');
    expect((await relay.get('/healthz')).status).toBe(200);
  });

  it('caps connections still authenticating per address and in all, and connections per address, with 4029', async () => {
    const relay = await relayWith({ maxAuthenticatingPerAddress: 2, maxAuthenticating: 4, maxConnectionsPerAddress: 3 });
    const tooMany = async (address: string): Promise<string> => {
      const socket = new WebSocket(relay.url, { localAddress: address });
      socket.on('error', () => undefined);
      const { code, reason } = await new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (closeCode, text) => resolve({ code: closeCode, reason: text.toString() })));
      expect(code, reason).toBe(CLOSE_CODES.TOO_MANY_CONNECTIONS);
      return reason;
    };
    const first = await raw(relay.url, '127.0.0.2');
    await raw(relay.url, '127.0.0.2');
    expect(await tooMany('127.0.0.2')).toMatch(/maxAuthenticatingPerAddress/);
    // Another address still gets in, and authenticates.
    const other = await raw(relay.url, '127.0.0.3');
    await other.authenticate(generateIdentity());
    await raw(relay.url, '127.0.0.3');
    await raw(relay.url, '127.0.0.4');
    // 2 + 1 + 1 authenticating now: the relay-wide cap.
    expect(await tooMany('127.0.0.5')).toMatch(/maxAuthenticating\)/);
    // An authenticated connection leaves the count: 127.0.0.3 may open more, up to maxConnectionsPerAddress.
    await first.authenticate(generateIdentity());
    const third = await raw(relay.url, '127.0.0.3');
    await third.authenticate(generateIdentity());
    expect(await tooMany('127.0.0.3')).toMatch(/maxConnectionsPerAddress/);
    expect(await relay.metric('herald_relay_rejections_total{code="TOO_MANY_CONNECTIONS"}')).toBe(3);
  });

  it('closes an unauthenticated connection that makes the relay queue replies it does not read', async () => {
    const relay = await relayWith({});
    const client = await raw(relay.url, '127.0.0.1');
    // Deposits before AUTH are each answered with an ERROR; a client that never reads lets them pile up.
    client.socket.pause();
    const deposit = protocol.encodeDeposit(1, Uint8Array.of(1));
    for (let index = 0; index < 100_000; index++) client.send(deposit);
    await until('the relay to close it as a slow consumer', async () => (await relay.metric('herald_relay_rejections_total{code="SLOW_CONSUMER"}')) === 1);
    client.socket.resume();
    await client.closed;
    // The relay answered deposits before AUTH until then (the client may never see them: the cut socket resets).
    expect(await relay.metric('herald_relay_rejections_total{code="NOT_AUTHENTICATED"}')).toBeGreaterThan(0);
  });

  it('holds 2 000 connections that never authenticate, each with the largest frame stored and another half sent, under 200 MiB; honest clients keep working', async () => {
    const relay = await relayWith({ authTimeoutMs: 120_000, heartbeatIntervalMs: 120_000 });
    const before = await rssBytes(relay);
    const full = revocationsFrame(PRE_AUTH_MAX_FRAME_BYTES);
    const half = new Uint8Array(PRE_AUTH_MAX_FRAME_BYTES).fill(protocol.FRAME.AUTH, 0, 1);
    // 40 addresses of 50 connections each: under the per-address default (64), so every one is held.
    const addresses = Array.from({ length: 40 }, (_, index) => `127.0.1.${index + 1}`);
    for (let batch = 0; batch < 20; batch++) {
      const opened = await Promise.all(Array.from({ length: 100 }, (_, index) => halfOpenSocket(relay.url, addresses[(batch * 100 + index) % addresses.length]!)));
      for (const connection of opened) {
        sockets.push(connection);
        connection.frame(full);
        connection.frame(half, PRE_AUTH_MAX_FRAME_BYTES / 2);
      }
    }
    await until('the relay to hold 2 000 connections', async () => (await relay.metric('herald_relay_connections')) === 2000, 30_000);
    expect(sockets.every(({ socket }) => !socket.destroyed)).toBe(true);
    // Let the relay read what was sent.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const held = await rssBytes(relay);
    expect(held, `RSS ${(held / 2 ** 20).toFixed(1)} MiB (${(before / 2 ** 20).toFixed(1)} MiB at start)`).toBeLessThan(200 * 2 ** 20);

    const alice = generateIdentity();
    const bob = generateIdentity();
    const a = await startNode(alice, [bob], [relay.url], { localAddress: '127.0.0.2' });
    const b = await startNode(bob, [alice], [relay.url], { localAddress: '127.0.0.3' });
    try {
      for (let index = 0; index < 5; index++) await a.node.send(bob.card, `honest ${index}`);
      await until('Bob to get all 5', () => b.received.length >= 5);
      expect([...b.received].sort()).toEqual(['honest 0', 'honest 1', 'honest 2', 'honest 3', 'honest 4']);
    } finally {
      await a.stop();
      await b.stop();
    }
    console.log(`relay RSS: ${(before / 2 ** 20).toFixed(1)} MiB at start, ${(held / 2 ** 20).toFixed(1)} MiB holding 2 000 unauthenticated connections`);
  }, 120_000);
});
