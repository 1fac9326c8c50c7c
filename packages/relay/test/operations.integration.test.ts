import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cardToFile, generateIdentity, seal } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import { rawClient } from './helpers/raw-client.js';
import { RELAY_BIN, removeTempDirs, restartRelay, spawnRelay, tempDir } from './helpers/relay-process.js';

afterAll(removeTempDirs);

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RELAY_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('running a relay', () => {
  it('refuses a bad config file at start with a precise message and exit code 1', async () => {
    const dir = await tempDir('herald-relay-config-');
    const config = join(dir, 'relay.yaml');
    await writeFile(config, 'dataDir: ./data\nmailboxMaxBytes: -5\n');
    const result = await run(['--config', config, '--listen', '127.0.0.1:0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error INVALID_OPTIONS: config ${config}: mailboxMaxBytes: expected whole bytes from 1024 to 1099511627776, got -5\n`);
    expect((await run(['--bogus'])).code).toBe(2);
  });

  it('serves /healthz on its public port, and /metrics only on the --metrics listener', async () => {
    const relay = await spawnRelay({ args: ['--metrics', '127.0.0.1:0'] });
    expect(await relay.get('/healthz')).toEqual({ status: 200, text: '{"status":"ok"}' });
    const metrics = (await relay.get('/metrics')).text;
    expect(metrics).toContain('herald_relay_connections 0');
    expect(metrics).toMatch(/^herald_relay_build_info\{version="\d+\.\d+\.\d+[^"]*",nodejs="[^"]+"\} 1$/m);
    expect(metrics).toContain('herald_relay_deposit_to_ack_seconds_count 0');
    // The public port shows no counts or latencies to the Internet.
    expect((await fetch(`http://127.0.0.1:${relay.port}/metrics`)).status).toBe(404);
    expect((await fetch(relay.metricsUrl!.replace('/metrics', '/healthz'))).status).toBe(200);
    expect((await relay.get('/nope')).status).toBe(404);
    await relay.kill('SIGTERM');
    // Without --metrics, nothing serves /metrics at all.
    const quiet = await spawnRelay({ metrics: false });
    expect(quiet.metricsUrl).toBeUndefined();
    expect((await quiet.get('/metrics')).status).toBe(404);
    expect((await quiet.get('/healthz')).status).toBe(200);
    await quiet.kill('SIGTERM');
  });

  it('prints its version with --version', async () => {
    const result = await run(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^herald-relay \d+\.\d+\.\d+\S*\n$/);
  });

  it('shuts down gracefully on SIGTERM (exit 0), and what it accepted is there after the restart', async () => {
    const relay = await spawnRelay();
    const bob = generateIdentity();
    const sender = await rawClient(relay.url);
    await sender.authenticate(generateIdentity(), false);
    const count = 20;
    for (let id = 1; id <= count; id++) sender.send(protocol.encodeDeposit(id, seal(`m${id}`, { from: generateIdentity(), to: bob.card })));
    await sender.next((frame) => frame.type === 'accepted' && frame.requestIds.includes(count));
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toEqual({ code: 0, signal: null });
    expect(relay.logs()).toContain('relay stopped');
    const again = await restartRelay(relay);
    expect(await again.metric('herald_relay_mailbox_envelopes')).toBe(count);
    await again.kill('SIGTERM');
  });

  it('keeps an envelope no longer than maxRetentionSeconds, whatever its expiry says', async () => {
    const relay = await spawnRelay({ config: { maxRetentionSeconds: 1, purgeIntervalMs: 200 } });
    const sender = await rawClient(relay.url);
    await sender.authenticate(generateIdentity(), false);
    // A day to live, for a recipient who never comes.
    sender.send(protocol.encodeDeposit(1, seal('for a day?', { from: generateIdentity(), to: generateIdentity().card, ttl: 86_400 })));
    await sender.next((frame) => frame.type === 'accepted' && frame.requestIds.includes(1));
    expect(await relay.metric('herald_relay_mailbox_envelopes')).toBe(1);
    const deadline = Date.now() + 10_000;
    while ((await relay.metric('herald_relay_mailbox_envelopes')) !== 0) {
      if (Date.now() > deadline) throw new Error('the envelope outlived maxRetentionSeconds by 10 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await relay.metric('herald_relay_envelopes_expired_total')).toBe(1);
    await relay.kill('SIGTERM');
  });

  it('applies the allow-lists: unlisted identities may not deposit, unlisted mailboxes may not be collected', async () => {
    const dir = await tempDir('herald-relay-allow-');
    const alice = generateIdentity();
    const bob = generateIdentity();
    await writeFile(join(dir, 'alice.card'), cardToFile(alice.card));
    await writeFile(join(dir, 'bob.card'), cardToFile(bob.card));
    const relay = await spawnRelay({ config: { allowDeposit: [join(dir, 'alice.card')], allowCollect: [join(dir, 'bob.card')] } });
    const listed = await rawClient(relay.url);
    await listed.authenticate(alice, false);
    listed.send(protocol.encodeDeposit(1, seal('hi', { from: alice, to: bob.card })));
    expect((await listed.next((frame) => frame.type === 'accepted' || frame.type === 'error')).type).toBe('accepted');
    const stranger = await rawClient(relay.url);
    await stranger.authenticate(generateIdentity(), false).catch(() => undefined);
    expect((await stranger.closed).code).toBe(protocol.CLOSE_CODES.NOT_ALLOWED);
    const collector = await rawClient(relay.url);
    await collector.authenticate(alice, true).catch(() => undefined);
    expect((await collector.closed).code).toBe(protocol.CLOSE_CODES.NOT_ALLOWED);
    const owner = await rawClient(relay.url);
    await owner.authenticate(bob, true);
    expect((await owner.next((frame) => frame.type === 'push')).type).toBe('push');
    owner.socket.close();
    listed.socket.close();
    await relay.kill('SIGTERM');
  });
});

describe('latency metrics', () => {
  it('times each envelope from its deposit to its push and to its ACK', async () => {
    const relay = await spawnRelay();
    const bob = generateIdentity();
    const sender = await rawClient(relay.url);
    await sender.authenticate(generateIdentity(), false);
    expect(await sender.deposit(1, seal('timed', { from: generateIdentity(), to: bob.card }))).toBe('ACCEPTED');
    expect(await relay.metric('herald_relay_deposit_to_push_seconds_count')).toBe(0);
    const reader = await rawClient(relay.url);
    await reader.authenticate(bob);
    const push = await reader.next((frame) => frame.type === 'push');
    expect(await relay.metric('herald_relay_deposit_to_push_seconds_count')).toBe(1);
    expect(await relay.metric('herald_relay_deposit_to_ack_seconds_count')).toBe(0);
    reader.send(protocol.encodeAck(push.type === 'push' ? push.deliveryId : 0));
    for (let tries = 0; tries < 100 && (await relay.metric('herald_relay_deposit_to_ack_seconds_count')) === 0; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await relay.metric('herald_relay_deposit_to_ack_seconds_count')).toBe(1);
    // Pushed after the reader connected: a positive delay, in seconds, within the histogram's buckets.
    expect(await relay.metric('herald_relay_deposit_to_push_seconds_sum')).toBeGreaterThan(0);
    expect(await relay.metric('herald_relay_connections_by_state{state="authenticated"}')).toBe(2);
    sender.socket.close();
    reader.socket.close();
    await relay.kill('SIGTERM');
  });
});
