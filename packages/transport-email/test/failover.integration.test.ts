import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transport } from '@herald/core';
import { freePort } from '@herald/mail-test-server';
import { emailTransport } from '@herald/transport-email';
import { dirTransport } from '@herald/transport-dir';
import { mqttTransport } from '@herald/transport-mqtt';
import { webSocketTransport } from '@herald/transport-websocket';
import { accountInit, startMailSystem, type MailSystem } from './mail.js';
import { party, tagOf, until } from './helpers.js';
import { startNode, type TestNode } from './nodes.js';

/**
 * Two real nodes (createNode on LMDB) exchanging messages over e-mail through
 * Postfix + Dovecot, alone and beside other channels, with end-to-end acks:
 * whatever channel carries a message, and however many copies travel, the
 * application gets each message exactly once.
 */
/** The CLI as built by tsc -b, for a real relay process. */
const HERALD = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
let mail: MailSystem;
const cleanups: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  mail = await startMailSystem({ domain: 'mission.test' });
}, 60_000);
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await mail?.close();
});

function people() {
  const [alice, bob] = [party('Alice'), party('Bob')];
  const addresses = { alice: mail.newAddress('alice'), bob: mail.newAddress('bob') };
  const book = { [tagOf(alice)]: addresses.alice, [tagOf(bob)]: addresses.bob };
  return { alice, bob, addresses, book };
}

async function tracked(node: Promise<TestNode & { dataDir: string }>): Promise<TestNode> {
  const started = await node;
  cleanups.push(() => started.stop().catch(() => undefined), () => rm(started.dataDir, { recursive: true, force: true }));
  return started;
}

function once(texts: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const text of texts) counts[text] = (counts[text] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count !== 1));
}

describe('nodes over e-mail', () => {
  it('exchange both ways with end-to-end acks; an offline recipient collects later', async () => {
    const { alice, bob, addresses, book } = people();
    const a = await tracked(startNode(alice, [bob], [emailTransport(accountInit(mail, addresses.alice, book))]));
    const toBob = await Promise.all(Array.from({ length: 5 }, (_, index) => a.node.send('Bob', `to bob ${index}`)));
    await until('Alice’s messages accepted by the mail server', async () => (await a.node.outbox()).every((record) => record.status === 'accepted'));
    // Bob's node was offline so far: the mail server held his mail.
    const b = await tracked(startNode(bob, [alice], [emailTransport(accountInit(mail, addresses.bob, book))]));
    const toAlice = await Promise.all(Array.from({ length: 5 }, (_, index) => b.node.send('Alice', `to alice ${index}`)));
    const settled = await Promise.all([...toBob, ...toAlice].map((handle) => handle.settled({ signal: AbortSignal.timeout(30_000) })));
    expect(settled.every((status) => status === 'delivered')).toBe(true);
    await until('all texts handed out', () => b.received.length === 5 && a.received.length === 5);
    expect(b.received.sort()).toEqual(['to bob 0', 'to bob 1', 'to bob 2', 'to bob 3', 'to bob 4']);
    expect(a.received.sort()).toEqual(['to alice 0', 'to alice 1', 'to alice 2', 'to alice 3', 'to alice 4']);
  });

  it('the whole mail system down, then up: messages sent meanwhile wait in the outbox and arrive later, each exactly once', async () => {
    const { alice, bob, addresses, book } = people();
    const a = await tracked(startNode(alice, [bob], [emailTransport(accountInit(mail, addresses.alice, book))]));
    const b = await tracked(startNode(bob, [alice], [emailTransport(accountInit(mail, addresses.bob, book))]));
    await mail.stopSmtp();
    await mail.stopImap();
    let handles;
    try {
      handles = await Promise.all(Array.from({ length: 5 }, (_, index) => a.node.send('Bob', `while down ${index}`)));
      // Each message was tried and refused retryably while the servers were away; none is failed, none accepted.
      await until('every message tried over the absent mail server', async () => (await a.node.outbox()).filter((record) => record.attempts.some((attempt) => attempt.outcome === 'failed')).length === 5, 20_000);
      const outbox = await a.node.outbox();
      expect(outbox.map((record) => record.status)).toEqual(['queued', 'queued', 'queued', 'queued', 'queued']);
      expect(b.received).toEqual([]);
    } finally {
      await mail.startImap();
      await mail.startSmtp();
    }
    const settled = await Promise.all(handles.map((handle) => handle.settled({ signal: AbortSignal.timeout(60_000) })));
    expect(settled).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered']);
    await until('all five texts', () => b.received.length >= 5);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(b.received.sort()).toEqual(['while down 0', 'while down 1', 'while down 2', 'while down 3', 'while down 4']);
    expect(once(b.received)).toEqual({});
  });

  it('WebSocket relay and MQTT broker down: the messages arrive by e-mail, each exactly once', async () => {
    const { alice, bob, addresses, book } = people();
    const [wsPort, mqttPort] = [await freePort(), await freePort()];
    const channels = (who: typeof alice, address: string): Transport[] => [
      webSocketTransport({ url: `ws://127.0.0.1:${wsPort}/`, identity: who, connectTimeoutMs: 1_000, minReconnectDelayMs: 100, maxReconnectDelayMs: 1_000, sendTimeoutMs: 2_000 }),
      mqttTransport({ url: `mqtt://127.0.0.1:${mqttPort}`, identity: who, connectTimeoutMs: 1_000, minReconnectDelayMs: 100, maxReconnectDelayMs: 1_000, sendTimeoutMs: 2_000 }),
      emailTransport(accountInit(mail, address, book)),
    ];
    const a = await tracked(startNode(alice, [bob], channels(alice, addresses.alice)));
    const b = await tracked(startNode(bob, [alice], channels(bob, addresses.bob)));
    const texts = Array.from({ length: 10 }, (_, index) => `over email ${index}`);
    const handles = await Promise.all(texts.map((text) => a.node.send('Bob', text, { precedence: 'IMMEDIATE' })));
    const settled = await Promise.all(handles.map((handle) => handle.settled({ signal: AbortSignal.timeout(45_000) })));
    expect(settled.every((status) => status === 'delivered')).toBe(true);
    await until('all ten texts', () => b.received.length >= 10);
    expect(b.received.sort()).toEqual([...texts].sort());
    expect(once(b.received), 'texts handed out more than once').toEqual({});
    const outbox = await a.node.outbox();
    for (const record of outbox) expect(record.attempts.some((attempt) => attempt.channel === `email:${addresses.alice}` && attempt.outcome === 'accepted'), `${record.id} accepted by e-mail`).toBe(true);
  });

  it('a relay carrying WebSocket and MQTT dies: the messages sent afterwards arrive by e-mail, each exactly once', async () => {
    const { alice, bob, addresses, book } = people();
    // One real relay process serves both: WebSocket and its embedded MQTT broker (herald relay --mqtt).
    const dataDir = await mkdtemp(join(tmpdir(), 'herald-email-relay-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const relay = spawn(process.execPath, [HERALD, 'relay', '--listen', '127.0.0.1:0', '--mqtt', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const gone = new Promise((resolve) => relay.once('exit', resolve));
    cleanups.push(async () => {
      relay.kill('SIGKILL');
      await gone;
    });
    let stdout = '';
    relay.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await until('the relay to listen on WebSocket and MQTT', () => /^relay listening on ws:/m.test(stdout) && /^relay mqtt broker on mqtt:/m.test(stdout), 30_000);
    const ws = /^relay listening on (ws:\/\/\S+)$/m.exec(stdout)![1]!;
    const mqtt = /^relay mqtt broker on (mqtt:\/\/\S+)$/m.exec(stdout)![1]!;
    const channels = (who: typeof alice, address: string): Transport[] => [
      webSocketTransport({ url: ws, identity: who, connectTimeoutMs: 1_000, minReconnectDelayMs: 100, maxReconnectDelayMs: 1_000, sendTimeoutMs: 2_000 }),
      mqttTransport({ url: mqtt, identity: who, connectTimeoutMs: 1_000, minReconnectDelayMs: 100, maxReconnectDelayMs: 1_000, sendTimeoutMs: 2_000 }),
      emailTransport(accountInit(mail, address, book)),
    ];
    const aliceChannels = channels(alice, addresses.alice);
    const a = await tracked(startNode(alice, [bob], aliceChannels));
    const b = await tracked(startNode(bob, [alice], channels(bob, addresses.bob)));
    await until('Alice’s WebSocket and MQTT channels up', () => aliceChannels.slice(0, 2).every((channel) => channel.health().state === 'up'), 20_000);
    const before = await Promise.all(['before 0', 'before 1', 'before 2'].map((text) => a.node.send('Bob', text)));
    expect(await Promise.all(before.map((handle) => handle.settled({ signal: AbortSignal.timeout(30_000) })))).toEqual(['delivered', 'delivered', 'delivered']);
    const carried = (await a.node.outbox()).filter((record) => before.some((handle) => handle.id === record.id)).map((record) => record.attempts.find((attempt) => attempt.outcome === 'accepted')?.channel.split(':')[0]);
    expect(carried, 'the relay carried the first messages').toEqual(['ws', 'ws', 'ws']);

    relay.kill('SIGKILL');
    await gone;
    const texts = Array.from({ length: 10 }, (_, index) => `after ${index}`);
    const after = await Promise.all(texts.map((text) => a.node.send('Bob', text, { precedence: 'IMMEDIATE' })));
    const settled = await Promise.all(after.map((handle) => handle.settled({ signal: AbortSignal.timeout(60_000) })));
    expect(settled.every((status) => status === 'delivered')).toBe(true);
    await until('all thirteen texts', () => b.received.length >= 13);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(b.received.filter((text) => text.startsWith('after')).sort()).toEqual([...texts].sort());
    expect(b.received.length, 'nothing handed out twice').toBe(13);
    expect(once(b.received)).toEqual({});
    const outbox = await a.node.outbox();
    for (const handle of after) {
      const record = outbox.find((entry) => entry.id === handle.id)!;
      expect(record.attempts.some((attempt) => attempt.channel === `email:${addresses.alice}` && attempt.outcome === 'accepted'), `${record.id} accepted by e-mail`).toBe(true);
    }
  });

  it('fails over from a missing spool folder to e-mail and back, and fan-out over both hands out one copy', async () => {
    const { alice, bob, addresses, book } = people();
    const base = await mkdtemp(join(tmpdir(), 'herald-email-dir-'));
    cleanups.push(() => rm(base, { recursive: true, force: true }));
    const spool = join(base, 'usb');
    const channels = (address: string): Transport[] => [dirTransport({ path: spool, createIfMissing: false, pollIntervalMs: 100 }), emailTransport(accountInit(mail, address, book))];
    const aliceChannels = channels(addresses.alice);
    const a = await tracked(startNode(alice, [bob], aliceChannels));
    const b = await tracked(startNode(bob, [alice], channels(addresses.bob)));
    // Which kind of channel accepted each message last.
    const carriers = async (ids: readonly string[]): Promise<string[]> => {
      const outbox = await a.node.outbox();
      return ids.map((id) => outbox.find((record) => record.id === id)?.attempts.filter((attempt) => attempt.outcome === 'accepted').at(-1)?.channel.split(':')[0] ?? 'none');
    };

    // 1. The stick is not plugged in: e-mail carries the messages.
    const first = await Promise.all(['a1', 'a2', 'a3'].map((text) => a.node.send('Bob', text)));
    expect(await Promise.all(first.map((handle) => handle.settled({ signal: AbortSignal.timeout(30_000) })))).toEqual(['delivered', 'delivered', 'delivered']);
    expect(await carriers(first.map((handle) => handle.id))).toEqual(['email', 'email', 'email']);

    // 2. The mail server's SMTP goes down, the stick comes back: the folder carries them.
    await mail.stopSmtp();
    try {
      await mkdir(spool, { recursive: true });
      const second = await Promise.all(['b1', 'b2', 'b3'].map((text) => a.node.send('Bob', text)));
      expect(await Promise.all(second.map((handle) => handle.settled({ signal: AbortSignal.timeout(30_000) })))).toEqual(['delivered', 'delivered', 'delivered']);
      expect(await carriers(second.map((handle) => handle.id))).toEqual(['dir', 'dir', 'dir']);
    } finally {
      await mail.startSmtp();
    }

    // 3. Both up, FLASH goes over every channel at once: two copies travel, the application sees one.
    await until('Alice’s channels both up again', () => aliceChannels.every((channel) => channel.health().state === 'up'), 20_000);
    const third = await Promise.all(['c1', 'c2'].map((text) => a.node.send('Bob', text, { precedence: 'FLASH' })));
    expect(await Promise.all(third.map((handle) => handle.settled({ signal: AbortSignal.timeout(30_000) })))).toEqual(['delivered', 'delivered']);
    // Let the second copies land too before counting.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(b.received.sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'c1', 'c2']);
    expect(once(b.received)).toEqual({});
  });
});
