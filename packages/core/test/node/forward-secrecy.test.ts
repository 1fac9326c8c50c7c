import { afterEach, describe, expect, it } from 'vitest';
import {
  createNode,
  decodeSignedPrekey,
  encodePrekeyed,
  PREKEYED_CONTENT_TYPE,
  generateIdentity,
  generatePrekeys,
  memoryPrekeySecretStore,
  memoryStore,
  open,
  type HeraldNode,
  type HeraldStore,
  type Identity,
  type NodeEvent,
  type NodeInit,
  type PrekeySecretStore,
} from '@herald/core';
import { FAST, receive, waitUntil } from './fixtures.js';
import { memoryMedium, type Medium, type TestChannel } from './memory-transport.js';

interface Party {
  identity: Identity;
  channel: TestChannel;
  node: HeraldNode;
  store: HeraldStore;
  secrets: PrekeySecretStore;
}

const running: HeraldNode[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((node) => node.stop()));
});

function party(medium: Medium, identity: Identity, contact: Identity, extra: Partial<NodeInit> = {}, maxBytes?: number): Party {
  const store = memoryStore();
  const secrets = memoryPrekeySecretStore(identity);
  const channel = medium.channel('a', maxBytes ? { maxEnvelopeBytes: maxBytes } : {});
  const node = createNode({ identity, contacts: [contact.card], store, channels: [channel], policy: FAST, prekeys: secrets, ...extra });
  running.push(node);
  return { identity, channel, node, store, secrets };
}

async function twoParties(aliceExtra: Partial<NodeInit> = {}, bobExtra: Partial<NodeInit> = {}, maxBytes?: number): Promise<{ alice: Party; bob: Party }> {
  const medium = memoryMedium();
  const aliceId = generateIdentity({ label: 'Alice' });
  const bobId = generateIdentity({ label: 'Bob' });
  const alice = party(medium, aliceId, bobId, aliceExtra, maxBytes);
  const bob = party(medium, bobId, aliceId, bobExtra, maxBytes);
  await alice.node.start();
  await bob.node.start();
  return { alice, bob };
}

const settled = (): { signal: AbortSignal } => ({ signal: AbortSignal.timeout(10_000) });

async function sendAndReceive(from: Party, to: Party, text: string) {
  const handle = await from.node.send(to.identity.card.fingerprint, text);
  const [message] = await receive(to.node, 1);
  expect(await handle.settled({ signal: AbortSignal.timeout(10_000) })).toBe('delivered');
  const record = (await from.node.outbox()).find((item) => item.id === handle.id)!;
  return { message: message!, record };
}

describe('a node without a prekey store of its own', () => {
  it('offers no prekeys (secrets only in memory would die with a restart, and the mail sealed to them), so mail to it stays v1', async () => {
    const medium = memoryMedium();
    const aliceId = generateIdentity({ label: 'Alice' });
    const bobId = generateIdentity({ label: 'Bob' });
    const alice = party(medium, aliceId, bobId);
    const bobStore = memoryStore();
    const bob = createNode({ identity: bobId, contacts: [aliceId.card], store: bobStore, channels: [medium.channel('a')], policy: FAST });
    running.push(bob);
    await alice.node.start();
    await bob.start();
    for (const text of ['first', 'second', 'third']) {
      const handle = await alice.node.send(bobId.card.fingerprint, text);
      const [message] = await receive(bob, 1);
      expect(await handle.settled(settled())).toBe('delivered');
      expect(message).toMatchObject({ envelopeVersion: 1, text });
    }
    expect(await alice.store.getContactPrekeys(bobId.card.fingerprint)).toBeUndefined();
  });
});

describe('piggybacked prekeys (preferred, the default)', () => {
  it('sends the first message v1 and records it, its ack brings prekeys, and the next message is v2 to a one-time prekey', async () => {
    const { alice, bob } = await twoParties();
    const first = await sendAndReceive(alice, bob, 'first');
    expect(first.record).toMatchObject({ envelopeVersion: 1, prekey: null, postQuantum: false });
    expect(first.message).toMatchObject({ envelopeVersion: 1, prekey: null, text: 'first', contentType: 'text/plain; charset=utf-8' });
    // Bob's ack carried his prekeys: Alice keeps them under his fingerprint.
    const kept = await alice.store.getContactPrekeys(bob.identity.card.fingerprint);
    expect(kept?.prekeys.length).toBeGreaterThanOrEqual(2);

    const second = await sendAndReceive(alice, bob, 'second');
    expect(second.record).toMatchObject({ envelopeVersion: 2, prekey: 'one-time', postQuantum: true });
    expect(second.message).toMatchObject({ envelopeVersion: 2, prekey: 'one-time', postQuantum: true, text: 'second' });
  });

  it('offers classical x25519 prekeys only where the channel is small', async () => {
    const { alice, bob } = await twoParties({}, {}, 8 * 1024);
    await sendAndReceive(alice, bob, 'first');
    const second = await sendAndReceive(alice, bob, 'second');
    expect(second.record).toMatchObject({ envelopeVersion: 2, prekey: 'one-time', postQuantum: false });
    expect(second.record.envelope.length).toBeLessThan(8 * 1024);
  });

  it('never seals to the same one-time prekey twice over many messages', async () => {
    const { alice, bob } = await twoParties();
    await sendAndReceive(alice, bob, 'warm-up');
    const kinds: string[] = [];
    for (let index = 0; index < 12; index++) kinds.push(String((await sendAndReceive(alice, bob, `m${index}`)).record.prekey));
    expect(kinds.every((kind) => kind === 'one-time')).toBe(true);
    const used = (await alice.store.getContactPrekeys(bob.identity.card.fingerprint))!.used.map((entry) => entry.id);
    expect(used).toHaveLength(12);
    expect(new Set(used).size).toBe(12);
  });

  it('never takes one one-time prekey for two messages sent at once', async () => {
    const { alice, bob } = await twoParties();
    await sendAndReceive(alice, bob, 'warm-up');
    await sendAndReceive(bob, alice, 'more prekeys');
    await sendAndReceive(alice, bob, 'and more');
    const handles = await Promise.all(Array.from({ length: 6 }, (_, index) => alice.node.send('Bob', `burst ${index}`)));
    const received = await receive(bob.node, 6, 10_000);
    expect(received.map((message) => message.text).sort()).toEqual(Array.from({ length: 6 }, (_, index) => `burst ${index}`));
    for (const handle of handles) expect(await handle.settled(settled())).toBe('delivered');
    const records = (await alice.node.outbox()).filter((record) => handles.some((handle) => handle.id === record.id));
    expect(records.every((record) => record.envelopeVersion === 2)).toBe(true);
    const used = (await alice.store.getContactPrekeys(bob.identity.card.fingerprint))!.used.map((entry) => entry.id);
    expect(new Set(used).size).toBe(used.length);
    expect(used.length).toBe(1 + records.filter((record) => record.prekey === 'one-time').length);
  });

  it('offers no more one-time prekeys once 1,000 of its own are unused, only the medium-term one', async () => {
    const { alice, bob } = await twoParties();
    for (let batch = 0; batch < 4; batch++) for (const owned of generatePrekeys(bob.identity, { kind: 'xwing', count: 250, oneTime: true })) await bob.secrets.put(owned);
    await sendAndReceive(alice, bob, 'first');
    const kept = (await alice.store.getContactPrekeys(bob.identity.card.fingerprint))!;
    const decoded = kept.prekeys.map((bytes) => decodeSignedPrekey(bytes));
    expect(decoded.length).toBeGreaterThan(0);
    expect(decoded.every((prekey) => !prekey.oneTime)).toBe(true);
  });

  it('refuses a forged bundle and keeps nothing from it', async () => {
    const { alice, bob } = await twoParties();
    const mallory = generateIdentity({ label: 'Mallory' });
    const errors: Error[] = [];
    alice.node.subscribe((event) => event.type === 'error' && errors.push(event.error));
    // A bundle naming Bob as owner but signed by Mallory, sent in Bob's signed envelope (compact: the node adds no prekeys of its own).
    const fake = generatePrekeys(mallory, { kind: 'x25519', count: 1 });
    const body = encodePrekeyed({ owner: bob.identity.card.signingPublicKey, prekeys: fake.map((owned) => owned.prekey) }, 'text/plain; charset=utf-8', 'hi');
    const handle = await bob.node.send(alice.identity.card.fingerprint, body, { contentType: PREKEYED_CONTENT_TYPE, compact: true });
    const [message] = await receive(alice.node, 1);
    await handle.settled(settled());
    expect(message?.text).toBe('hi');
    expect(errors.some((error) => (error as { code?: string }).code === 'BAD_PREKEY')).toBe(true);
    const kept = await alice.store.getContactPrekeys(bob.identity.card.fingerprint);
    const fakeId = Buffer.from(fake[0]!.prekey.id);
    expect((kept?.prekeys ?? []).some((bytes) => Buffer.from(bytes).includes(fakeId))).toBe(false);
  });
});

describe('forward secrecy required', () => {
  it('holds a message as awaiting-prekeys, never sealed v1, and sends it v2 once the prekeys arrive', async () => {
    const { alice, bob } = await twoParties({ policy: { ...FAST, forwardSecrecy: 'required' } });
    const handle = await alice.node.send('Bob', 'secret');
    expect(handle.status).toBe('awaiting-prekeys');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(handle.status).toBe('awaiting-prekeys');
    const held = (await alice.node.outbox())[0]!;
    expect(held.envelope.length).toBe(0);
    // Bob writes to Alice: his message carries his prekeys.
    await sendAndReceive(bob, alice, 'hello');
    const [message] = await receive(bob.node, 1);
    expect(message).toMatchObject({ text: 'secret', envelopeVersion: 2, prekey: 'one-time' });
    expect(await handle.settled(settled())).toBe('delivered');
    const record = (await alice.node.outbox()).find((item) => item.id === handle.id)!;
    expect(record).toMatchObject({ envelopeVersion: 2, status: 'delivered' });
    expect(record.held).toBeUndefined();
  });

  it('fails with NO_PREKEY at expiry when no prekey arrived', async () => {
    const { alice } = await twoParties();
    const handle = await alice.node.send('Bob', 'secret', { forwardSecrecy: 'required', ttl: 1 });
    expect(await handle.settled(settled())).toBe('failed');
    const record = (await alice.node.outbox())[0]!;
    expect(record.failure?.code).toBe('NO_PREKEY');
    expect(record.envelope.length).toBe(0);
  });

  it('is refused as an option value it does not know', async () => {
    const { alice } = await twoParties();
    await expect(alice.node.send('Bob', 'x', { forwardSecrecy: 'maybe' as never })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    expect(() => createNode({ identity: alice.identity, store: memoryStore(), channels: [], policy: { forwardSecrecy: 'sometimes' as never } })).toThrow(/forwardSecrecy/);
  });

  it('off seals v1 even when prekeys are held', async () => {
    const { alice, bob } = await twoParties({ policy: { ...FAST, forwardSecrecy: { default: 'preferred', precedence: { FLASH: 'off' } } } });
    await sendAndReceive(alice, bob, 'first');
    const handle = await alice.node.send('Bob', 'flash', { precedence: 'FLASH' });
    await receive(bob.node, 1);
    await handle.settled(settled());
    expect((await alice.node.outbox()).find((item) => item.id === handle.id)).toMatchObject({ envelopeVersion: 1, prekey: null });
  });
});

describe('deletion and rotation', () => {
  it('deletes the one-time secret once the message is processed: a copy of the envelope no longer opens', async () => {
    const { alice, bob } = await twoParties();
    await sendAndReceive(alice, bob, 'first');
    const handle = await alice.node.send('Bob', 'second');
    const signal = AbortSignal.timeout(10_000);
    for await (const message of bob.node.messages({ signal })) {
      const [stored] = await bob.store.listInbox();
      const copy = stored!.envelope;
      const options = { identity: bob.identity, contacts: [alice.identity.card], prekeys: bob.secrets };
      const opened = await open(copy, options);
      expect(opened.prekey?.oneTime).toBe(true);
      await message.ack();
      await expect(open(copy, options)).rejects.toMatchObject({ code: 'PREKEY_GONE' });
      break;
    }
    expect(await handle.settled(settled())).toBe('delivered');
  });

  it('still acks when its prekeys cannot be offered: the ack goes bare and the failure is reported', async () => {
    const { alice, bob } = await twoParties();
    await sendAndReceive(alice, bob, 'first');
    const events: NodeEvent[] = [];
    bob.node.subscribe((event) => events.push(event));
    const list = bob.secrets.list.bind(bob.secrets);
    let failing = true;
    bob.secrets.list = () => {
      if (failing) throw new Error('prekey store unreadable');
      return list();
    };
    const { record } = await sendAndReceive(alice, bob, 'while the store fails');
    failing = false;
    expect(record.id).toBeTruthy();
    expect(events.some((event) => event.type === 'error' && event.error.message === 'prekey store unreadable')).toBe(true);
  });

  it('acks a copy that arrives after the one-time secret is gone, without refusing it', async () => {
    const { alice, bob } = await twoParties();
    await sendAndReceive(alice, bob, 'first');
    const { record } = await sendAndReceive(alice, bob, 'second');
    expect(record.prekey).toBe('one-time');
    const events: NodeEvent[] = [];
    bob.node.subscribe((event) => events.push(event));
    // The same envelope again, as a retransmission after a lost ack would bring it.
    await alice.channel.send(record.envelope, { messageId: record.id, routingTags: record.routingTags, expiresAt: record.expiresAt });
    await waitUntil(() => events.some((event) => event.type === 'ack-sent' && event.ids.includes(record.id)));
    expect(events.filter((event) => event.type === 'rejected')).toEqual([]);
  });

  it('makes a new medium-term prekey on schedule and deletes secrets past openUntil', async () => {
    const { bob } = await twoParties({}, { prekeyRotation: { everySeconds: 1, sealForSeconds: 60, openForSeconds: 60 } });
    const stale = generatePrekeys(bob.identity, { kind: 'xwing', sealForSeconds: 60, openForSeconds: 60, now: Date.now() - 200_000 });
    await bob.secrets.put(stale[0]!);
    const medium = () => bob.secrets.list().filter((prekey) => !prekey.oneTime);
    const before = medium().length;
    await waitUntil(() => medium().length >= before + 1 && bob.secrets.get(stale[0]!.prekey.id) === undefined, 8_000);
    expect(bob.secrets.get(stale[0]!.prekey.id)).toBeUndefined();
  });
});

describe('forward secrecy by channel', () => {
  function pair(aliceChannels: readonly string[], rules: NodeInit['policy']) {
    const medium = memoryMedium();
    const aliceId = generateIdentity({ label: 'Alice' });
    const bobId = generateIdentity({ label: 'Bob' });
    const alice = createNode({ identity: aliceId, contacts: [bobId.card], store: memoryStore(), channels: aliceChannels.map((name) => medium.channel(name)), policy: { ...FAST, ...rules }, prekeys: memoryPrekeySecretStore(aliceId) });
    const bob = createNode({ identity: bobId, contacts: [aliceId.card], store: memoryStore(), channels: [medium.channel('watched'), medium.channel('spool')], policy: FAST, prekeys: memoryPrekeySecretStore(bobId) });
    running.push(alice, bob);
    return { alice, bob };
  }

  it('keeps version-1 envelopes off a channel that requires forward secrecy; v2 ones use it', async () => {
    const { alice, bob } = pair(['watched', 'spool'], { forwardSecrecy: { default: 'preferred', channel: { watched: 'required' } } });
    await alice.start();
    await bob.start();
    const attempts: string[] = [];
    alice.subscribe((event) => {
      if (event.type === 'attempt') attempts.push(`${event.channel}:${event.outcome}`);
    });
    const first = await alice.send('Bob', 'first');
    const [one] = await receive(bob, 1);
    expect(one).toMatchObject({ text: 'first', envelopeVersion: 1, channel: 'spool' });
    expect(await first.settled(settled())).toBe('delivered');
    // The preferred channel was never tried with the v1 envelope.
    expect(attempts).toEqual(['spool:accepted']);
    // Bob's ack brought his prekeys: the next message is v2 and takes the preferred channel.
    const second = await alice.send('Bob', 'second');
    const [two] = await receive(bob, 1);
    expect(two).toMatchObject({ text: 'second', envelopeVersion: 2, channel: 'watched' });
    expect(await second.settled(settled())).toBe('delivered');
  });

  it('holds a message for prekeys when every channel it may use requires forward secrecy', async () => {
    const { alice, bob } = pair(['watched'], { forwardSecrecy: { default: 'off', channel: { watched: 'required' } } });
    await alice.start();
    await bob.start();
    const handle = await alice.send('Bob', 'held');
    expect(handle.status).toBe('awaiting-prekeys');
    expect(() => createNode({ identity: generateIdentity(), store: memoryStore(), channels: [], policy: { forwardSecrecy: { channel: { '': 'required' } } } })).toThrow(/channel name prefix/);
    expect(() => createNode({ identity: generateIdentity(), store: memoryStore(), channels: [], policy: { forwardSecrecy: { channel: { mqtt: 'always' as never } } } })).toThrow(/forwardSecrecy\.channel\.mqtt/);
  });
});
