import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { generateIdentity, seal, toHex, type InboundEnvelope } from '@herald/core';
import { webSocketTransport } from '@herald/transport-websocket';
import { until } from './helpers/nodes.js';
import { removeTempDirs, spawnRelay, tempDir, type RelayProcess } from './helpers/relay-process.js';

const relays: RelayProcess[] = [];
afterAll(async () => {
  for (const relay of relays) {
    relay.child.kill('SIGCONT');
    await relay.kill('SIGKILL');
  }
  await removeTempDirs();
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the WebSocket link', () => {
  it.skipIf(!hasOpenssl())('works over wss:// with the TLS options passed to ws, and the relay accepts only its public URL', async () => {
    const dir = await tempDir('herald-wss-');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const [key, cert] = await Promise.all([readFile(join(dir, 'key.pem')), readFile(join(dir, 'cert.pem'))]);
    // A TLS terminator in front of the relay, as docs/operations.md advises. Its port must be known before the
    // relay starts (it is the relay's public URL): listen first, point it at the relay after.
    let relayPort = 0;
    const server = createTlsServer({ key, cert }, (tls) => {
      const upstream = netConnect(relayPort, '127.0.0.1');
      tls.pipe(upstream).pipe(tls);
      tls.on('error', () => upstream.destroy());
      upstream.on('error', () => tls.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const publicUrl = `wss://localhost:${(server.address() as { port: number }).port}/herald`;
    const relay = await spawnRelay({ args: ['--public-url', publicUrl] });
    relays.push(relay);
    relayPort = relay.port;
    try {
      const alice = generateIdentity();
      const bob = generateIdentity();
      const got: InboundEnvelope[] = [];
      const receiver = webSocketTransport({ url: publicUrl, identity: bob, tls: { ca: cert } });
      const sender = webSocketTransport({ url: publicUrl, identity: alice, collect: false, tls: { ca: cert } });
      await receiver.start({ routingTags: [toHex(bob.card.routingTag)], deliver: async (envelope) => void got.push(envelope) });
      await sender.start({ routingTags: [], deliver: async () => undefined });
      expect(sender.health().state, sender.health().reason).toBe('up');
      const envelope = seal('over TLS', { from: alice, to: bob.card });
      await sender.send(envelope, { messageId: '', routingTags: [], expiresAt: 0 });
      await until('the envelope over wss', () => got.length === 1);
      expect(got[0]!.channel).toBe(publicUrl);
      await Promise.all([sender.stop(), receiver.stop()]);

      // Dialled by its plain address, the relay refuses the signature: it was made for another URL.
      const direct = webSocketTransport({ url: relay.url, identity: alice, collect: false, minReconnectDelayMs: 5000 });
      await direct.start({ routingTags: [], deliver: async () => undefined });
      expect(direct.health()).toMatchObject({ state: 'down', reason: expect.stringContaining('4002 AUTH_FAILED') });
      await direct.stop();
    } finally {
      server.close();
    }
  });

  it('notices a relay that stops answering (SIGSTOP) within the heartbeat time, and recovers when it answers again', async () => {
    const relay = await spawnRelay();
    relays.push(relay);
    const bob = generateIdentity();
    const transport = webSocketTransport({ url: relay.url, identity: bob, heartbeatIntervalMs: 200, heartbeatTimeoutMs: 600, minReconnectDelayMs: 50, maxReconnectDelayMs: 200, connectTimeoutMs: 1000 });
    await transport.start({ routingTags: [toHex(bob.card.routingTag)], deliver: async () => undefined });
    expect(transport.health().state).toBe('up');
    relay.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    await until('the dead link to be noticed', () => transport.health().state === 'down', 5000);
    const noticedAfter = Date.now() - stoppedAt;
    // The first time out backs the timer off (a link whose round trip grew is slow, not dead); the doubled one ends it.
    expect(noticedAfter, 'noticed within twice the timeout + one interval (+ scheduling slack)').toBeLessThan(2 * 600 + 200 + 500);
    // At the first time out it would be at most 600 + 200 ms after the last pong (itself before SIGSTOP); backed off, 1 000 at least.
    expect(noticedAfter, 'not at the first time out: the timer backed off once').toBeGreaterThan(900);
    expect(transport.health().reason).toMatch(/heartbeat|CHANNEL_TIMEOUT|took more than/);
    relay.child.kill('SIGCONT');
    await until('the link to come back', () => transport.health().state === 'up', 10_000);
    await transport.stop();
  });

  it('fails each send the relay does not answer within sendTimeoutMs of that send, as CHANNEL_TIMEOUT', async () => {
    const relay = await spawnRelay();
    relays.push(relay);
    const alice = generateIdentity();
    const bob = generateIdentity();
    // Heartbeats far apart: the send timeout, not the dead-link check, must end these sends.
    const sender = webSocketTransport({ url: relay.url, identity: alice, collect: false, sendTimeoutMs: 400, heartbeatIntervalMs: 20_000, heartbeatTimeoutMs: 30_000 });
    await sender.start({ routingTags: [], deliver: async () => undefined });
    const route = { messageId: '', routingTags: [], expiresAt: 0 };
    // Answered in time: no timeout comes later for it.
    await sender.send(seal('answered', { from: alice, to: bob.card }), route);
    relay.child.kill('SIGSTOP');
    try {
      // Three sends 150 ms apart: each must wait its own 400 ms, not the first one's.
      const outcomes = [0, 150, 300].map(async (offset) => {
        await new Promise((resolve) => setTimeout(resolve, offset));
        const sentAt = performance.now();
        const error = await sender.send(seal(`unanswered ${offset}`, { from: alice, to: bob.card }), route).then(
          () => undefined,
          (refusal: unknown) => refusal,
        );
        return { error, after: performance.now() - sentAt };
      });
      for (const { error, after } of await Promise.all(outcomes)) {
        expect(error).toMatchObject({ name: 'TransportError', code: 'CHANNEL_TIMEOUT', retryable: true });
        expect(after).toBeGreaterThanOrEqual(390);
        expect(after, 'given up on within the timeout plus scheduling slack').toBeLessThan(2000);
      }
      expect(sender.health().state).toBe('up');
    } finally {
      relay.child.kill('SIGCONT');
    }
    await sender.stop();
  });
});
