import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeId, type InboundEnvelope } from '@herald/core';
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
