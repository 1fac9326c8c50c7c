import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity, inspect, seal, toHex, type Identity } from '@herald/core';
import { startNatsCluster, type NatsCluster } from '@herald/relay/testing';
import { natsRelayStore, type NatsRelayStore } from '../src/store/nats/nats-store.js';
import type { MailEntry, MailboxLimits } from '../src/store/relay-store.js';

/**
 * What only a store shared by several relays over a real three-node cluster must do, beyond the store contract:
 * a deposit through one relay reaches the other at once, an acknowledgement through one removes it for both,
 * the crash of a node mid-traffic loses and doubles nothing, and a restart of the whole cluster keeps everything.
 */
// Small enough for the harness: JetStream reserves a stream's max_bytes on each node's storage when it places the stream.
const LIMITS: MailboxLimits = { mailboxMaxEnvelopes: 10_000, mailboxMaxBytes: 1 << 26, maxStoredBytes: 1 << 26, maxStoredEnvelopes: 100_000 };
let cluster: NatsCluster;
const open = new Set<NatsRelayStore>();

beforeAll(async () => {
  cluster = await startNatsCluster();
}, 60_000);

afterEach(async () => {
  for (const store of open) await store.close().catch(() => undefined);
  open.clear();
});

afterAll(async () => {
  await cluster?.close();
});

async function relayStore(name: string): Promise<NatsRelayStore> {
  const store = await natsRelayStore({ limits: LIMITS, nats: { servers: cluster.url, name, replicas: 3, requestTimeoutMs: 20_000 } });
  open.add(store);
  return store;
}

function sealTo(to: Identity, text: string): { envelope: Uint8Array; tags: readonly string[]; id: string; keepUntil: number } {
  const envelope = seal(text, { from: generateIdentity(), to: to.card, ttl: 86_400 });
  const outline = inspect(envelope);
  return { envelope, tags: outline.routingTags, id: outline.id, keepUntil: outline.expires.getTime() };
}

const none = (): boolean => false;
const uniqueName = (): string => `t-${randomBytes(5).toString('hex')}`;

describe('the NATS store shared by two relays', () => {
  it('tells relay B at once of a deposit through relay A, and an acknowledgement through B removes it for A too', async () => {
    const name = uniqueName();
    const [a, b] = [await relayStore(name), await relayStore(name)];
    expect(Buffer.from(b.relayId)).toEqual(Buffer.from(a.relayId));
    const bob = generateIdentity();
    const tag = toHex(bob.card.routingTag);
    const arrived = new Promise<MailEntry>((resolve) => b.onArrival((entry) => entry.tag === tag && resolve(entry)));
    const ownArrivals: MailEntry[] = [];
    a.onArrival((entry) => ownArrivals.push(entry));
    const sealed = sealTo(bob, 'through A');
    const outcome = await a.deposit(sealed);
    if (outcome.outcome !== 'stored') throw new Error(outcome.outcome);
    const entry = await arrived;
    expect(entry.key).toBe(outcome.entries[0]!.key);
    expect(Buffer.from(entry.bytes)).toEqual(Buffer.from(sealed.envelope));
    expect((await b.list(tag, 10, none)).map((listed) => listed.key)).toEqual([entry.key]);
    // A deposit of the same bytes through B is a duplicate of A's.
    expect((await b.deposit(sealed)).outcome).toBe('duplicate');
    expect(a.usage.envelopes).toBe(1);
    expect(await b.ack(entry.tag, entry.seq)).toBe(false);
    // Deposited again through A at once (before A may have heard of the removal): a new entry, not a duplicate.
    const again = await a.deposit(sealed);
    if (again.outcome !== 'stored') throw new Error(`deposited again: ${again.outcome}`);
    const renewed = again.entries[0]!;
    expect(renewed.seq).toBeGreaterThan(entry.seq);
    expect(await b.ack(renewed.tag, renewed.seq)).toBe(false);
    // A hears of the removal through B, so its counts (the quotas, /metrics) do not keep what B removed.
    const deadline = Date.now() + 10_000;
    while (a.usage.envelopes !== 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect([a.usage.envelopes, a.usage.bytes, a.usage.mailboxes]).toEqual([0, 0, 0]);
    expect(await a.list(tag, 10, none)).toEqual([]);
    expect(await b.list(tag, 10, none)).toEqual([]);
    // A's own deposit is not news to A: its connection offered it already.
    expect(ownArrivals).toEqual([]);
  });

  it('loses and doubles nothing when the stream leader is SIGKILLed mid-traffic, and the node catches up on its return', async () => {
    const name = uniqueName();
    const store = await relayStore(name);
    const bob = generateIdentity();
    const tag = toHex(bob.card.routingTag);
    const accepted: string[] = [];
    let refused = 0;
    let killed: Promise<void> | undefined;
    const leaderName = async (): Promise<string | undefined> => {
      const views = await Promise.all(cluster.nodes.filter((node) => node.running()).map((node) => node.monitor('/jsz?streams=true').then((answer) => JSON.parse(answer.text) as { account_details?: { stream_detail?: { name: string; cluster?: { leader?: string } }[] }[] }, () => undefined)));
      for (const view of views) for (const account of view?.account_details ?? []) for (const stream of account.stream_detail ?? []) if (stream.name === `${name}_MAIL` && stream.cluster?.leader) return stream.cluster.leader;
      return undefined;
    };
    // Four depositors at once, 200 deposits; the stream's leader is killed after the 50th is accepted.
    let next = 0;
    const depositor = async (): Promise<void> => {
      while (next < 200) {
        const sealed = sealTo(bob, `deposit ${next++}`);
        const outcome = await store.deposit(sealed);
        if (outcome.outcome === 'stored') {
          await outcome.committed;
          accepted.push(Buffer.from(sealed.envelope).toString('hex'));
        } else if (outcome.outcome !== 'storage-failed') throw new Error(`unexpected ${outcome.outcome}`);
        else refused++;
        if (accepted.length === 50 && killed === undefined) {
          killed = leaderName().then((found) => cluster.nodes.find((node) => node.name === found)?.stop('SIGKILL'));
        }
      }
    };
    await Promise.all([depositor(), depositor(), depositor(), depositor()]);
    await killed;
    expect(cluster.nodes.filter((node) => node.running())).toHaveLength(2);
    expect(accepted.length).toBeGreaterThanOrEqual(150);
    const listed = await store.list(tag, 1000, none);
    const listedBytes = listed.map((entry) => Buffer.from(entry.bytes).toString('hex'));
    // Every accepted deposit is there once; a refused one (UNAVAILABLE: its depositor tries again) may be there too.
    expect(new Set(listedBytes).size).toBe(listedBytes.length);
    expect(accepted.filter((bytes) => !listedBytes.includes(bytes))).toEqual([]);
    expect(listed.length).toBeLessThanOrEqual(accepted.length + refused);
    await cluster.start();
    await cluster.ready(60_000);
    // A relay opened now reads the same from the cluster, the returned node among it.
    const again = await relayStore(name);
    expect((await again.list(tag, 1000, none)).map((entry) => entry.key)).toEqual(listed.map((entry) => entry.key));
  }, 120_000);

  it('keeps every stored envelope through a SIGKILL of the whole cluster and its restart', async () => {
    const name = uniqueName();
    const store = await relayStore(name);
    const bob = generateIdentity();
    const tag = toHex(bob.card.routingTag);
    const sent: Buffer[] = [];
    for (let index = 0; index < 20; index++) {
      const sealed = sealTo(bob, `kept ${index}`);
      const outcome = await store.deposit(sealed);
      expect(outcome.outcome).toBe('stored');
      sent.push(Buffer.from(sealed.envelope));
    }
    await store.close();
    open.delete(store);
    await cluster.stop('SIGKILL');
    await cluster.start();
    await cluster.ready(60_000);
    const again = await relayStore(name);
    expect((await again.list(tag, 100, none)).map((entry) => Buffer.from(entry.bytes))).toEqual(sent);
    expect(again.usage.envelopes).toBe(20);
  }, 120_000);
});
