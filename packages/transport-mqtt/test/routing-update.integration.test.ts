import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeId, epochOf, epochTagFor, generateIdentity, toHex, type InboundEnvelope } from '@herald/core';
import { derivedClientId, tagClientId } from '@herald/transport-mqtt';
import { startMosquitto } from '@herald/transport-mqtt/testing';
import { BROKERS, type Broker } from './brokers.js';
import { envelope, party, pause, recorder, routeOf, sendPersistently, tagOf, transport, until } from './helpers.js';

/**
 * updateRoutingTags against real brokers (epoch tags, docs/protocol.md): the new tags are subscribed in the
 * persistent session, dropped ones unsubscribed, and nothing the broker accepted under a dropped tag is lost.
 */
describe.each(BROKERS)('updateRoutingTags through %s', (kind, startBroker) => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('a tag dropped while the broker is down is unsubscribed on the next connection; a tag added then is subscribed', async () => {
    const [alice, bob, old, next] = [party('alice'), party('bob'), party('old epoch'), party('next epoch')];
    const a = transport({ url: broker.url, identity: alice });
    await a.start({ routingTags: [tagOf(alice)], deliver: async () => undefined });
    const atBob = recorder();
    const b = transport({ url: broker.url, identity: bob });
    await b.start({ routingTags: [tagOf(bob), tagOf(old)], deliver: atBob.deliver });
    await until('bob up', () => b.health().state === 'up');
    await broker.stop();
    try {
      // Disconnected: resolves at once, the next connection brings the session in step.
      await b.updateRoutingTags!([tagOf(bob), tagOf(next)], { signal: AbortSignal.timeout(5_000) });
    } finally {
      await broker.start();
    }
    await until('bob and alice up again', () => b.health().state === 'up' && a.health().state === 'up', 15_000);
    const toNext = envelope(alice, next);
    await sendPersistently(a, toNext);
    await until('the envelope for the added tag', () => atBob.ids.has(envelopeId(toNext)));
    const toOld = envelope(alice, old);
    // MQTT 5 says nobody subscribes (RECIPIENT_UNREACHABLE); 3.1.1 takes it and routes it nowhere.
    await a.send(toOld, routeOf(toOld)).catch((error: { code?: string }) => expect(error.code).toBe('RECIPIENT_UNREACHABLE'));
    const toBob = envelope(alice, bob);
    await a.send(toBob, routeOf(toBob));
    await until('a sentinel for the kept tag', () => atBob.ids.has(envelopeId(toBob)));
    await pause(300);
    expect(atBob.ids.has(envelopeId(toOld)), `${kind}: an envelope for the tag dropped while disconnected`).toBe(false);
  });
});

describe('updateRoutingTags drains a dropped tag (Mosquitto, MQTT 5 Receive Maximum 1)', () => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await BROKERS[0][1]();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('envelopes the broker still holds under a dropped tag arrive after the drop and are delivered, none lost', async () => {
    const [alice, bob, old] = [party('alice'), party('bob'), party('old epoch')];
    const a = transport({ url: broker.url, identity: alice });
    await a.start({ routingTags: [tagOf(alice)], deliver: async () => undefined });
    // One delivery at a time, the first held: the broker keeps the rest queued in bob's session, under the old topic.
    const seen: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const deliver = async (inbound: InboundEnvelope): Promise<void> => {
      if (seen.length === 0) await held;
      seen.push(envelopeId(inbound.bytes));
    };
    const b = transport({ url: broker.url, identity: bob, maxPendingDeliveries: 1 });
    await b.start({ routingTags: [tagOf(bob), tagOf(old)], deliver });
    await until('bob and alice up', () => b.health().state === 'up' && a.health().state === 'up');
    const queued = Array.from({ length: 4 }, () => envelope(alice, old));
    for (const bytes of queued) await a.send(bytes, routeOf(bytes));
    await pause(100);
    await b.updateRoutingTags!([tagOf(bob)], { signal: AbortSignal.timeout(5_000) });
    const late = envelope(alice, old);
    await a.send(late, routeOf(late)).catch((error: { code?: string }) => expect(error.code).toBe('RECIPIENT_UNREACHABLE'));
    release();
    await until('every envelope accepted under the dropped tag before the drop', () => queued.every((bytes) => seen.includes(envelopeId(bytes))));
    await pause(300);
    expect(seen.includes(envelopeId(late)), 'an envelope sent after the drop').toBe(false);
    expect(seen.length, 'each delivered once').toBe(queued.length);
  });
});

describe("a version-2 identity's default window through the relay's embedded broker", () => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await BROKERS[1][1]();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('33 tags (32 epochs of a day in 30 days, and the static tag) are all subscribed in one session, the later ones by updates', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    const epochs = Array.from({ length: 32 }, (_, index) => party(`epoch ${index}`));
    const a = transport({ url: broker.url, identity: alice });
    await a.start({ routingTags: [tagOf(alice)], deliver: async () => undefined });
    const atBob = recorder();
    const b = transport({ url: broker.url, identity: bob });
    await b.start({ routingTags: [tagOf(bob), ...epochs.slice(0, 8).map(tagOf)], deliver: atBob.deliver });
    await until('bob and alice up', () => b.health().state === 'up' && a.health().state === 'up');
    // Each boundary adds one epoch (a SUBSCRIBE of its own), as the node's schedule does.
    for (let count = 9; count <= epochs.length; count++) await b.updateRoutingTags!([tagOf(bob), ...epochs.slice(0, count).map(tagOf)], { signal: AbortSignal.timeout(5_000) });
    const last = envelope(alice, epochs.at(-1)!);
    await a.send(last, routeOf(last));
    await until('the envelope for the 33rd tag', () => atBob.ids.has(envelopeId(last)));
  });
});

describe.each(BROKERS)('sessionPerTag through %s', (kind, startBroker) => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it("collects each epoch tag on a client of its own, follows updates, and stops collecting a dropped tag", async () => {
    const DAY = 86_400;
    const alice = party('alice');
    const bob = generateIdentity({ label: 'bob', epochSeconds: DAY });
    const epoch = epochOf(Date.now(), DAY);
    const tagAt = (at: number): string => toHex(epochTagFor(bob.card, at));
    const a = transport({ url: broker.url, identity: alice });
    await a.start({ routingTags: [tagOf(alice)], deliver: async () => undefined });
    const atBob = recorder();
    const b = transport({ url: broker.url, identity: bob, sessionPerTag: true });
    await b.start({ routingTags: [tagAt(epoch - 1), tagAt(epoch)], deliver: atBob.deliver });
    await until('bob and alice up', () => b.health().state === 'up' && a.health().state === 'up');
    // The route names the topic: an envelope addressed to each epoch's tag.
    const sendTo = (tag: string): Promise<unknown> => {
      const bytes = envelope(alice, bob);
      return a.send(bytes, { ...routeOf(bytes), routingTags: [tag] }).then(
        () => envelopeId(bytes),
        (error: { code?: string }) => expect(error.code, `${kind}: a refusal other than "nobody subscribes"`).toBe('RECIPIENT_UNREACHABLE'),
      );
    };
    const [older, current] = [await sendTo(tagAt(epoch - 1)), await sendTo(tagAt(epoch))];
    await until('both epochs’ envelopes', () => atBob.ids.has(older as string) && atBob.ids.has(current as string));

    await b.updateRoutingTags!([tagAt(epoch), tagAt(epoch + 1)], { signal: AbortSignal.timeout(8_000) });
    const next = await sendTo(tagAt(epoch + 1));
    await until('the added epoch’s envelope', () => atBob.ids.has(next as string));
    const late = await sendTo(tagAt(epoch - 1));
    const sentinel = await sendTo(tagAt(epoch));
    await until('a sentinel', () => atBob.ids.has(sentinel as string));
    await pause(300);
    if (typeof late === 'string') expect(atBob.ids.has(late), 'an envelope for the dropped epoch, sent after the update').toBe(false);
  });

  it('tag client ids differ per tag, from each other and from the identity’s', () => {
    const bob = generateIdentity({ label: 'bob' });
    const ids = new Set([derivedClientId(bob), tagClientId(bob, 'aa'.repeat(16)), tagClientId(bob, 'bb'.repeat(16))]);
    expect(ids.size).toBe(3);
  });
});

describe('sessionPerTag as Mosquitto sees it', () => {
  it('each epoch topic is subscribed by a client of its own, none by the identity’s client', async () => {
    const mosquitto = await startMosquitto({ extraConfig: ['log_type subscribe'] });
    try {
      const bob = generateIdentity({ label: 'bob', epochSeconds: 86_400 });
      const epoch = epochOf(Date.now(), 86_400);
      const tags = [epoch - 1, epoch].map((at) => toHex(epochTagFor(bob.card, at)));
      const b = transport({ url: mosquitto.url, identity: bob, sessionPerTag: true });
      await b.start({ routingTags: tags, deliver: async () => undefined });
      await until('bob up', () => b.health().state === 'up');
      // Mosquitto logs each SUBSCRIBE as "<client id> <qos> <topic>".
      const subscribers = (tag: string): string[] => [...mosquitto.logs().matchAll(new RegExp(`(\\S+) 1 herald/v1/${tag}`, 'g'))].map((match) => match[1]!);
      await until('both subscriptions logged', () => tags.every((tag) => subscribers(tag).length > 0));
      const [first, second] = tags.map(subscribers);
      expect(first, 'the first epoch’s topic, by its own client only').toEqual([tagClientId(bob, tags[0]!)]);
      expect(second, 'the second epoch’s topic, by its own client only').toEqual([tagClientId(bob, tags[1]!)]);
      expect(mosquitto.logs()).not.toMatch(new RegExp(`${derivedClientId(bob)} 1 herald`));
      await b.stop();
    } finally {
      await mosquitto.close();
    }
  });
});
