import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateIdentity, toBase64Url, toHex } from '@herald/core';
import { delivered, startNode, until, type TestNode } from './helpers/nodes.js';
import { removeTempDirs, restartRelay, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/** Real nodes talking through real relay processes: crashes, restarts, two relays, and what the relay keeps. */
const relays: RelayProcess[] = [];
const nodes: TestNode[] = [];
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  await Promise.all(relays.map((relay) => relay.kill('SIGKILL')));
  await removeTempDirs();
});

async function relay(config: Record<string, unknown> = {}): Promise<RelayProcess> {
  const started = await spawnRelay({ config: { heartbeatIntervalMs: 1000, logLevel: 'debug', ...config } });
  relays.push(started);
  return started;
}

async function node(...args: Parameters<typeof startNode>): Promise<TestNode> {
  const started = await startNode(...args);
  nodes.push(started);
  return started;
}

describe('store and forward through a relay process', () => {
  it('holds mail for a recipient that is offline and hands it over when it connects', async () => {
    const r = await relay();
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    const a = await node(alice, [bob], [r.url]);
    const texts = Array.from({ length: 5 }, (_, index) => `offline ${index}`);
    for (const text of texts) await a.node.send(bob.card, text);
    await until('the relay to hold 5 envelopes', async () => (await r.metric('herald_relay_mailbox_envelopes')) === 5);
    const b = await node(bob, [alice], [r.url]);
    await until('Bob to receive all 5', () => b.received.length >= 5);
    await until('Alice to see all 5 delivered', () => delivered(a, 5));
    expect([...b.received].sort()).toEqual([...texts].sort());
  });

  it('loses nothing and duplicates nothing when the relay is SIGKILLed mid-traffic and restarted', async () => {
    let r = await relay();
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    const a = await node(alice, [bob], [r.url]);
    const b = await node(bob, [alice], [r.url]);
    const texts = Array.from({ length: 60 }, (_, index) => `message ${index}`);
    const sending = (async () => {
      for (const text of texts) {
        await a.node.send(bob.card, text);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await until('some traffic to have flowed', () => b.received.length >= 10);
    await r.kill('SIGKILL');
    r = await restartRelay(r, { config: { heartbeatIntervalMs: 1000 } });
    relays.push(r);
    await sending;
    await until('Bob to receive all 60', () => b.received.length >= texts.length, 40_000);
    await until('Alice to see all 60 delivered', () => delivered(a, texts.length), 40_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(b.received.length, 'messages handed to Bob (no duplicates)').toBe(texts.length);
    expect(new Set(b.received)).toEqual(new Set(texts));
  });

  it('keeps traffic flowing through a second relay when the first dies', async () => {
    const first = await relay();
    const second = await relay();
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    const a = await node(alice, [bob], [first.url, second.url]);
    const b = await node(bob, [alice], [first.url, second.url]);
    await a.node.send(bob.card, 'before');
    await until('the first message', () => b.received.includes('before'));
    await first.kill('SIGKILL');
    for (let index = 0; index < 10; index++) await a.node.send(bob.card, `after ${index}`);
    await until('Bob to receive the 10 sent after the first relay died', () => b.received.filter((text) => text.startsWith('after')).length >= 10, 30_000);
    await until('Alice to see all 11 delivered', () => delivered(a, 11), 30_000);
    expect(b.received.length).toBe(11);
    expect(await second.metric('herald_relay_envelopes_in_total')).toBeGreaterThanOrEqual(10);
  });

  it('keeps no plaintext and no sender identity in its store or its logs, and no routing tag in its logs or metrics', async () => {
    const r = await relay();
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    const secret = 'the convoy leaves from the north gate at 0600';
    const a = await node(alice, [bob], [r.url]);
    // Bob offline: the envelopes stay in the relay's LMDB files.
    for (let index = 0; index < 3; index++) await a.node.send(bob.card, `${secret} #${index}`);
    await until('the relay to hold them', async () => (await r.metric('herald_relay_mailbox_envelopes')) === 3);
    const b = await node(bob, [alice], [r.url]);
    await until('Bob to get them and Alice his acks', async () => b.received.length === 3 && (await delivered(a, 3)));
    // Bob's acks are removed from the store after Alice hears of them: drained first, so the count of 1 below is #kept.
    await until('the relay to drain them', async () => (await r.metric('herald_relay_mailbox_envelopes')) === 0);
    // One more kept for Bob while he is away, so the files hold a live envelope too.
    await b.stop();
    await a.node.send(bob.card, `${secret} #kept`);
    await until('the relay to keep one', async () => (await r.metric('herald_relay_mailbox_envelopes')) === 1);
    const metrics = (await r.get('/metrics')).text;
    await r.kill('SIGTERM');
    // The store is keyed by routing tag; the logs and /metrics show totals only, never a tag (threat model 10.3).
    const tag = toHex(bob.card.routingTag);
    expect(metrics).toContain('herald_relay_mailbox_envelopes 1');
    for (const [where, text] of [['the logs', r.logs()], ['/metrics', metrics]] as const) expect(text.toLowerCase().includes(tag), `routing tag in ${where}`).toBe(false);

    const files = await readdir(join(r.dataDir, 'store'));
    const blobs = await Promise.all(files.map((file) => readFile(join(r.dataDir, 'store', file))));
    blobs.push(Buffer.from(r.logs()));
    const needles: [string, Buffer][] = [
      ['plaintext', Buffer.from(secret)],
      ['signing key (raw)', Buffer.from(alice.card.signingPublicKey)],
      ['signing key (hex)', Buffer.from(toHex(alice.card.signingPublicKey))],
      ['signing key (base64url)', Buffer.from(toBase64Url(alice.card.signingPublicKey))],
      ['signing key (base64)', Buffer.from(Buffer.from(alice.card.signingPublicKey).toString('base64'))],
      ['fingerprint', Buffer.from(alice.card.fingerprint)],
      ['fingerprint (compact)', Buffer.from(alice.card.fingerprint.replace(/ /g, ''))],
      ['label', Buffer.from('Alice')],
      ['recipient signing key (hex)', Buffer.from(toHex(bob.card.signingPublicKey))],
    ];
    expect(r.logs()).toContain('relay started');
    for (const [what, needle] of needles) for (const [index, blob] of blobs.entries()) expect(blob.includes(needle), `${what} found in ${index < files.length ? files[index] : 'the logs'}`).toBe(false);
  });
});
