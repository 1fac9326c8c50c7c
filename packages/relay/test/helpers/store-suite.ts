import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { generateIdentity, inspect, seal, toHex, type Identity } from '@herald/core';
import { DIRECTORY_MAX_ONE_TIME, type DepositOutcome, type DirectoryPrekey, type EntryCharge, type MailboxLimits, type RelayStore, type RelayStoreInit } from '../../src/index.js';

/**
 * Where one test's store lives: a fresh empty directory (for a store on local disk) and a unique name (for a
 * store on a server: a bucket or stream prefix). Opening the same place again is the same store after a restart.
 */
export interface StorePlace {
  readonly dir: string;
  readonly name: string;
}

/** Opens (or reopens) the store at `place` with these limits and health. */
export type MakeStore = (place: StorePlace, init: RelayStoreInit) => Promise<RelayStore>;

const DAY_MS = 86_400_000;

/** Quotas roomy enough not to matter, unless a test narrows them. */
export const SUITE_LIMITS: MailboxLimits = { mailboxMaxEnvelopes: 1000, mailboxMaxBytes: 1 << 24, maxStoredBytes: 1 << 26, maxStoredEnvelopes: 1000 };

/** Mailboxes nobody ever collected get 3 envelopes and one day. */
const UNCOLLECTED_LIMITS: MailboxLimits = { ...SUITE_LIMITS, mailboxMaxEnvelopes: 50, uncollectedMailboxMaxEnvelopes: 3, uncollectedMailboxMaxBytes: 1 << 20, uncollectedRetentionSeconds: 86_400 };

interface Sealed {
  readonly envelope: Uint8Array;
  readonly tags: readonly string[];
  readonly id: string;
  readonly keepUntil: number;
}

function sealTo(to: Identity | readonly Identity[], text = 'hello'): Sealed {
  const cards = (Array.isArray(to) ? to : [to]).map((one: Identity) => one.card);
  const envelope = seal(text, { from: generateIdentity(), to: cards, ttl: 30 * 86_400 });
  const outline = inspect(envelope);
  return { envelope, tags: outline.routingTags, id: outline.id, keepUntil: outline.expires.getTime() };
}

const tagOf = (identity: Identity): string => toHex(identity.card.routingTag);
const all = (): boolean => false;

/** The store's answer, with `stored` required: fails the test otherwise. */
async function stored(result: Promise<DepositOutcome>): Promise<Extract<DepositOutcome, { outcome: 'stored' }>> {
  const outcome = await result;
  if (outcome.outcome !== 'stored') throw new Error(`not stored: ${outcome.outcome}`);
  await outcome.committed;
  return outcome;
}

/**
 * The contract of {@link RelayStore} (src/store/relay-store.ts), as tests any implementation must pass: call it
 * from a test file with a way to open the implementation at a place.
 */
export function relayStoreSuite(name: string, makeStore: MakeStore): void {
  const places: StorePlace[] = [];
  const open = new Set<RelayStore>();

  afterEach(async () => {
    for (const store of [...open]) await store.close().catch(() => undefined);
    open.clear();
    for (const place of places.splice(0)) await rm(place.dir, { recursive: true, force: true });
  });

  async function fresh(limits: MailboxLimits = SUITE_LIMITS): Promise<{ store: RelayStore; place: StorePlace; reopen(): Promise<RelayStore> }> {
    const place = { dir: await mkdtemp(join(tmpdir(), 'herald-store-suite-')), name: `suite-${randomBytes(6).toString('hex')}` };
    places.push(place);
    const start = async (): Promise<RelayStore> => {
      const store = await makeStore(place, { limits });
      open.add(store);
      return store;
    };
    const store = await start();
    return {
      store,
      place,
      async reopen() {
        for (const one of open) await one.close();
        open.clear();
        return start();
      },
    };
  }

  describe(`relay store contract: ${name}`, () => {
    it('stores a deposit durably and lists it, oldest first, within the limit and without what skip names', async () => {
      const { store, reopen } = await fresh();
      const bob = generateIdentity();
      const deposits = [];
      for (const text of ['one', 'two', 'three']) deposits.push(await stored(store.deposit(sealTo(bob, text))));
      const entries = deposits.map((deposit) => deposit.entries[0]!);
      expect(entries.map((entry) => entry.key)).toEqual(entries.map((entry) => `${entry.tag}:${entry.seq}`));
      const listed = await store.list(tagOf(bob), 10, all);
      expect(listed.map((entry) => entry.seq)).toEqual(entries.map((entry) => entry.seq));
      expect(listed.map((entry) => Buffer.from(entry.bytes))).toEqual(entries.map((entry) => Buffer.from(entry.bytes)));
      expect((await store.list(tagOf(bob), 2, all)).map((entry) => entry.seq)).toEqual(entries.slice(0, 2).map((entry) => entry.seq));
      expect((await store.list(tagOf(bob), 10, (key) => key === entries[0]!.key)).map((entry) => entry.seq)).toEqual(entries.slice(1).map((entry) => entry.seq));
      expect(await store.list(tagOf(generateIdentity()), 10, all)).toEqual([]);
      expect(store.usage.envelopes).toBe(3);
      expect(store.usage.mailboxes).toBe(1);
      const relayId = Buffer.from(store.relayId);
      expect(relayId).toHaveLength(16);
      // After a restart: the same id, the same entries, the same counts.
      const again = await reopen();
      expect(Buffer.from(again.relayId)).toEqual(relayId);
      expect((await again.list(tagOf(bob), 10, all)).map((entry) => Buffer.from(entry.bytes))).toEqual(listed.map((entry) => Buffer.from(entry.bytes)));
      expect([again.usage.envelopes, again.usage.bytes, again.usage.mailboxes]).toEqual([3, listed.reduce((sum, entry) => sum + entry.bytes.length, 0), 1]);
    });

    it('stores one envelope to several mailboxes as one entry each, and a tag named twice once', async () => {
      const { store } = await fresh();
      const [bob, carol] = [generateIdentity(), generateIdentity()];
      const both = await stored(store.deposit(sealTo([bob, carol])));
      expect(both.entries.map((entry) => entry.tag).sort()).toEqual([tagOf(bob), tagOf(carol)].sort());
      const once = sealTo(bob, 'named thrice');
      const tag = once.tags[0]!;
      const result = await stored(store.deposit({ ...once, tags: [tag, tag, tag] }));
      expect(result.entries).toHaveLength(1);
      expect(await store.list(tag, 10, all)).toHaveLength(2);
      expect(store.usage.envelopes).toBe(3);
    });

    it('finds a repeated deposit of the same bytes, while being stored, once stored and after a restart; different bytes under the same id are stored', async () => {
      const { store, reopen } = await fresh();
      const bob = generateIdentity();
      const real = sealTo(bob, 'the real one');
      // Another recipient (or anyone who saw it) deposits different bytes under the same id: one ciphertext byte changed.
      const forged = { ...real, envelope: real.envelope.slice() };
      forged.envelope[forged.envelope.length - 1]! ^= 1;
      const first = store.deposit(real);
      const again = store.deposit(real);
      const other = store.deposit(forged);
      expect((await first).outcome).toBe('stored');
      const repeated = await again;
      expect(repeated.outcome).toBe('duplicate');
      expect((await other).outcome).toBe('stored');
      for (const outcome of [await first, repeated, await other]) if ('committed' in outcome) await outcome.committed;
      expect((await store.deposit(real)).outcome).toBe('duplicate');
      expect(store.usage.envelopes).toBe(2);
      const restarted = await reopen();
      expect((await restarted.deposit(real)).outcome).toBe('duplicate');
      expect((await restarted.deposit(forged)).outcome).toBe('duplicate');
      expect((await restarted.list(tagOf(bob), 10, all)).map((entry) => Buffer.from(entry.bytes))).toEqual([Buffer.from(real.envelope), Buffer.from(forged.envelope)]);
    });

    it('removes an acknowledged entry durably: not listed, not counted, new again if deposited again, and an unknown entry is no error', async () => {
      const { store, reopen } = await fresh();
      const bob = generateIdentity();
      const sealed = sealTo(bob);
      const entry = (await stored(store.deposit(sealed))).entries[0]!;
      expect(await store.ack(entry.tag, entry.seq)).toBe(false);
      expect(await store.ack(entry.tag, entry.seq)).toBe(false);
      expect(await store.ack(tagOf(generateIdentity()), 12_345)).toBe(false);
      expect(await store.list(tagOf(bob), 10, all)).toEqual([]);
      expect([store.usage.envelopes, store.usage.bytes, store.usage.mailboxes]).toEqual([0, 0, 0]);
      const restarted = await reopen();
      expect(await restarted.list(tagOf(bob), 10, all)).toEqual([]);
      const back = await stored(restarted.deposit(sealed));
      expect((await restarted.list(tagOf(bob), 10, all)).map((each) => each.key)).toEqual([back.entries[0]!.key]);
    });

    it('expires what is kept until before now, no more than the limit, and nothing else', async () => {
      const { store, reopen } = await fresh();
      const bob = generateIdentity();
      const now = Date.now();
      for (const text of ['soon 1', 'soon 2', 'soon 3']) await stored(store.deposit({ ...sealTo(bob, text), keepUntil: now + 1000 }));
      const kept = await stored(store.deposit(sealTo(bob, 'later')));
      expect(await store.expire(now, 10)).toBe(0);
      expect(await store.expire(now + 2000, 2)).toBe(2);
      const restarted = await reopen();
      expect(await restarted.expire(now + 2000, 10)).toBe(1);
      expect((await restarted.list(tagOf(bob), 10, all)).map((entry) => entry.seq)).toEqual([kept.entries[0]!.seq]);
      expect(restarted.usage.envelopes).toBe(1);
    });

    it('refuses a deposit past a mailbox quota as mailbox-full and past the store quota as relay-full, storing nothing', async () => {
      const { store } = await fresh({ ...SUITE_LIMITS, mailboxMaxEnvelopes: 2, maxStoredEnvelopes: 4 });
      const [bob, carol] = [generateIdentity(), generateIdentity()];
      await stored(store.deposit(sealTo(bob, 'one')));
      await stored(store.deposit(sealTo(bob, 'two')));
      expect((await store.deposit(sealTo(bob, 'three'))).outcome).toBe('mailbox-full');
      // All or none: carol has room, bob has none.
      expect((await store.deposit(sealTo([carol, bob], 'to both'))).outcome).toBe('mailbox-full');
      expect(await store.list(tagOf(carol), 10, all)).toEqual([]);
      await stored(store.deposit(sealTo(carol, 'fits')));
      await stored(store.deposit(sealTo(generateIdentity(), 'the last room')));
      expect((await store.deposit(sealTo(generateIdentity(), 'beyond the store'))).outcome).toBe('relay-full');
      expect(store.usage.envelopes).toBe(4);
    });

    it('charges each stored entry to its payer while it is held, and releases it when acknowledged or expired', async () => {
      const { store } = await fresh();
      let held = 0;
      const payer: EntryCharge = { charge: (size) => void (held += size), release: (size) => void (held -= size) };
      const bob = generateIdentity();
      const acked = await stored(store.deposit({ ...sealTo(bob, 'acknowledged'), payer }));
      await stored(store.deposit({ ...sealTo(bob, 'expired'), keepUntil: Date.now() + 1000, payer }));
      expect(held).toBe(store.usage.bytes);
      await store.ack(acked.entries[0]!.tag, acked.entries[0]!.seq);
      expect(held).toBe(store.usage.bytes);
      expect(held).toBeGreaterThan(0);
      expect(await store.expire(Date.now() + 2000, 10)).toBe(1);
      expect(held).toBe(0);
    });

    it('holds a mailbox never collected to the uncollected quota, and a collected one to the full one, across a restart', async () => {
      const { store, reopen } = await fresh(UNCOLLECTED_LIMITS);
      const [bob, carol] = [generateIdentity(), generateIdentity()];
      for (let index = 0; index < 3; index++) await stored(store.deposit(sealTo(bob)));
      expect((await store.deposit(sealTo(bob))).outcome).toBe('mailbox-full');
      const marked = store.markCollected([tagOf(bob)]);
      // From the call on, not only once durable.
      await stored(store.deposit(sealTo(bob)));
      await marked;
      for (let index = 0; index < 5; index++) await stored(store.deposit(sealTo(bob)));
      const restarted = await reopen();
      await stored(restarted.deposit(sealTo(bob)));
      for (let index = 0; index < 3; index++) await stored(restarted.deposit(sealTo(carol)));
      expect((await restarted.deposit(sealTo(carol))).outcome).toBe('mailbox-full');
    });

    it('keeps mail for a mailbox never collected only uncollectedRetentionSeconds; a collected one keeps it longer', async () => {
      const { store } = await fresh(UNCOLLECTED_LIMITS);
      const [stranger, known] = [generateIdentity(), generateIdentity()];
      await store.markCollected([tagOf(known)]);
      await stored(store.deposit({ ...sealTo(stranger), keepUntil: Date.now() + 30 * DAY_MS }));
      await stored(store.deposit({ ...sealTo(known), keepUntil: Date.now() + 30 * DAY_MS }));
      expect(await store.expire(Date.now() + DAY_MS + 60_000, 100)).toBe(1);
      expect(await store.list(tagOf(stranger), 10, all)).toEqual([]);
      expect(await store.list(tagOf(known), 10, all)).toHaveLength(1);
      expect(await store.expire(Date.now() + 30 * DAY_MS + 60_000, 100)).toBe(1);
    });

    it('settles a deposit held and acknowledged before its write, and never lists it again (hold may decline)', async () => {
      const { store, reopen } = await fresh();
      const bob = generateIdentity();
      const outcome = await store.deposit(sealTo(bob));
      if (outcome.outcome !== 'stored') throw new Error(`not stored: ${outcome.outcome}`);
      const entry = outcome.entries[0]!;
      store.hold(entry, 10_000);
      await store.ack(entry.tag, entry.seq);
      await outcome.committed;
      expect(await store.list(tagOf(bob), 10, all)).toEqual([]);
      expect(store.usage.envelopes).toBe(0);
      const restarted = await reopen();
      expect(await restarted.list(tagOf(bob), 10, all)).toEqual([]);
    });

    const owner = new Uint8Array(32).fill(5);
    const prekey = (id: string, sealUntil = Math.floor(Date.now() / 1000) + 3600): DirectoryPrekey => ({ id, sealUntil, bytes: Buffer.from(`prekey ${id}`) });
    const ids = (prekeys: readonly DirectoryPrekey[] | undefined): string[] => (prekeys ?? []).map((one) => one.id);

    it('hands out each one-time prekey once, with the medium-term ones, across a restart', async () => {
      const { store, reopen } = await fresh();
      const now = Date.now();
      expect(await store.takePrekeys('aa', now)).toBeUndefined();
      expect(await store.putPrekeys('aa', { owner, mediumTerm: [prekey('m1')], oneTime: [prekey('o1'), prekey('o2'), prekey('o3')] }, now)).toBe(3);
      // A repeated upload (a node retrying) adds nothing it already holds.
      expect(await store.putPrekeys('aa', { owner, mediumTerm: [prekey('m1')], oneTime: [prekey('o1')] }, now)).toBe(3);
      const first = await store.takePrekeys('aa', now);
      expect(Buffer.from(first!.owner)).toEqual(Buffer.from(owner));
      expect([ids(first?.mediumTerm), ids(first?.oneTime)]).toEqual([['m1'], ['o1']]);
      expect(Buffer.from(first!.oneTime[0]!.bytes).toString()).toBe('prekey o1');
      const restarted = await reopen();
      // Taken concurrently: never the same one-time prekey twice.
      const [second, third, fourth] = await Promise.all([restarted.takePrekeys('aa', now), restarted.takePrekeys('aa', now), restarted.takePrekeys('aa', now)]);
      expect([...ids(second?.oneTime), ...ids(third?.oneTime), ...ids(fourth?.oneTime)].sort()).toEqual(['o2', 'o3']);
      expect(ids(fourth?.mediumTerm)).toEqual(['m1']);
      expect(await restarted.putPrekeys('aa', { owner, mediumTerm: [prekey('m2')], oneTime: [prekey('o4')] }, now)).toBe(1);
      expect([ids((await restarted.takePrekeys('aa', now))?.mediumTerm), ids((await restarted.takePrekeys('bb', now))?.mediumTerm)]).toEqual([['m2'], []]);
    });

    it('never hands out one one-time prekey twice through two stores open on the same place at once (two relays of a cluster)', async () => {
      const { store, place } = await fresh();
      const now = Date.now();
      const count = 12;
      await store.putPrekeys('aa', { owner, mediumTerm: [prekey('m1')], oneTime: Array.from({ length: count }, (_, index) => prekey(`o${index}`)) }, now);
      const other = await makeStore(place, { limits: SUITE_LIMITS });
      open.add(other);
      const given = await Promise.all(Array.from({ length: count + 4 }, (_, index) => (index % 2 === 0 ? store : other).takePrekeys('aa', now)));
      const taken = given.flatMap((one) => ids(one?.oneTime));
      expect(taken.sort()).toEqual(Array.from({ length: count }, (_, index) => `o${index}`).sort());
    });

    it('answers an upload with as many one-time prekeys as fetches then hand out, also when it repeats one handed out already', async () => {
      const { store } = await fresh();
      const now = Date.now();
      await store.putPrekeys('aa', { owner, mediumTerm: [prekey('m1')], oneTime: [prekey('o1'), prekey('o2')] }, now);
      expect(ids((await store.takePrekeys('aa', now))?.oneTime)).toEqual(['o1']);
      // Whether a store takes o1 in again is its own (a cluster remembers it for a while): the answer must say.
      const answered = await store.putPrekeys('aa', { owner, mediumTerm: [], oneTime: [prekey('o1'), prekey('o3')] }, now);
      const drained: string[] = [];
      for (let fetch = 0; fetch < 10; fetch++) drained.push(...ids((await store.takePrekeys('aa', now))?.oneTime));
      expect(drained.length).toBe(answered);
      expect(drained).toContain('o2');
      expect(drained).toContain('o3');
    });

    it('refuses an upload that would pass directoryMaxBytes, storing nothing of it, and takes one again once prekeys were taken', async () => {
      // The bound counts bytes as the store keeps them (LMDB: the prekeys and 32 bytes each; JetStream: its stored
      // messages), so the test fills it with prekeys of one size instead of computing where it ends.
      const { store } = await fresh({ ...SUITE_LIMITS, directoryMaxBytes: 8192 });
      const now = Date.now();
      const sized = (id: string): DirectoryPrekey => ({ ...prekey(id), bytes: Buffer.alloc(400, id) });
      expect(await store.putPrekeys('aa', { owner, mediumTerm: [sized('m1')], oneTime: [sized('o0')] }, now)).toBe(1);
      let held = 1;
      while (held < DIRECTORY_MAX_ONE_TIME) {
        const answer = await store.putPrekeys('aa', { owner, mediumTerm: [], oneTime: [sized(`o${held}`)] }, now);
        if (answer === 'full') break;
        expect(answer).toBe(held + 1);
        held += 1;
      }
      expect(held).toBeGreaterThan(2);
      expect(held).toBeLessThan(DIRECTORY_MAX_ONE_TIME);
      // Full: neither prekey of a two-prekey upload is kept, nor a new mailbox's record.
      expect(await store.putPrekeys('aa', { owner, mediumTerm: [], oneTime: [sized(`o${held}`), sized('beyond')] }, now)).toBe('full');
      expect(await store.putPrekeys('bb', { owner, mediumTerm: [sized('m1')], oneTime: [] }, now)).toBe('full');
      expect(ids((await store.takePrekeys('aa', now))?.oneTime)).toEqual(['o0']);
      // One taken makes room for one of the same size again.
      expect(await store.putPrekeys('aa', { owner, mediumTerm: [], oneTime: [sized(`o${held}`)] }, now)).toBe(held);
      const drained: string[] = [];
      for (let fetch = 0; fetch < DIRECTORY_MAX_ONE_TIME; fetch++) {
        const given = ids((await store.takePrekeys('aa', now))?.oneTime);
        if (given.length === 0) break;
        drained.push(...given);
      }
      expect(drained).toEqual(Array.from({ length: held }, (_, index) => `o${index + 1}`));
    });

    it('hands out no expired prekey, bounds the one-time prekeys per mailbox, and starts over for a new owner key', async () => {
      const { store } = await fresh();
      const now = Date.now();
      const past = Math.floor(now / 1000) - 1;
      const many = Array.from({ length: DIRECTORY_MAX_ONE_TIME + 5 }, (_, index) => prekey(`o${index}`));
      expect(await store.putPrekeys('aa', { owner, mediumTerm: [prekey('m1')], oneTime: [prekey('gone', past), ...many] }, now)).toBe(DIRECTORY_MAX_ONE_TIME);
      const given = await store.takePrekeys('aa', now);
      expect(ids(given?.oneTime)).toEqual(['o0']);
      // Past every prekey's sealUntil nothing is handed out.
      const later = now + 2 * 3600_000;
      expect(await store.takePrekeys('aa', later)).toBeUndefined();
      await store.putPrekeys('aa', { owner, mediumTerm: [prekey('m1', past)], oneTime: [prekey('o-late')] }, now);
      expect(ids((await store.takePrekeys('aa', now))?.mediumTerm)).toEqual([]);
      const rotated = new Uint8Array(32).fill(6);
      expect(await store.putPrekeys('aa', { owner: rotated, mediumTerm: [prekey('n1')], oneTime: [] }, now)).toBe(0);
      const after = await store.takePrekeys('aa', now);
      expect([Buffer.from(after!.owner).equals(Buffer.from(rotated)), ids(after?.mediumTerm), ids(after?.oneTime)]).toEqual([true, ['n1'], []]);
    });

    it('keeps the broker’s subscriptions, queued copies and last-seen times across a restart, and forgets what was dropped', async () => {
      const { store, reopen } = await fresh();
      const records = await store.openBrokerRecords();
      const packet = (text: string) => ({ cmd: 'publish' as const, topic: 'herald/abc', payload: Buffer.from(text), qos: 1, retain: false, dup: false });
      await records.storeSubscriptions('client-a', [{ clientId: 'client-a', topic: 'herald/abc', qos: 1 }, { clientId: 'client-a', topic: 'herald/old', qos: 1 }], []);
      await records.storeSubscriptions('client-a', [], ['herald/old']);
      await records.storeQueued([
        { clientId: 'client-a', seq: 1, packet: packet('first'), from: 'client-b' },
        { clientId: 'client-a', seq: 2, packet: packet('second'), from: 'client-b' },
      ]);
      await records.dropQueued('client-a', 1);
      await records.dropQueued('client-a', 99);
      await records.storeSeen('client-a', 1_000);
      await records.storeSeen('client-gone', 2_000);
      await records.dropSeen('client-gone');
      await records.close();
      const again = await (await reopen()).openBrokerRecords();
      const loaded = await again.load();
      expect(loaded.subscriptions.map(({ clientId, topic, qos }) => ({ clientId, topic, qos }))).toEqual([{ clientId: 'client-a', topic: 'herald/abc', qos: 1 }]);
      expect(loaded.queued.map(({ clientId, seq, from, packet: { topic, payload, qos } }) => ({ clientId, seq, from, topic, text: Buffer.from(payload).toString(), qos }))).toEqual([
        { clientId: 'client-a', seq: 2, from: 'client-b', topic: 'herald/abc', text: 'second', qos: 1 },
      ]);
      expect([...loaded.seen]).toEqual([['client-a', 1_000]]);
      await again.close();
    });
  });
}
