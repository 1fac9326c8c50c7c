import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeId, TransportError } from '@herald/core';
import { startMosquitto, type MosquittoProcess } from '@herald/transport-mqtt/testing';
import { envelope, events, party, pause, recorder, routeOf, sendPersistently, started, transport, until } from './helpers.js';
import { exchangeBothWays } from '@herald/transport-compliance';

/** The MQTT transport against a real Mosquitto process (loopback, its own config and persistence). */
let broker: MosquittoProcess;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.close();
});

describe('mqtt transport through Mosquitto', () => {
  it('exchanges envelopes both ways', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    const a = transport({ url: broker.url, identity: alice });
    const b = transport({ url: broker.url, identity: bob });
    const [atAlice, atBob] = [await started(a, alice), await started(b, bob)];
    const toBob = envelope(alice, bob);
    const toAlice = envelope(bob, alice);
    await exchangeBothWays({ a, atAlice, b, atBob, toBob, toAlice });
    expect(Buffer.from(atBob.received[0]!.bytes).equals(Buffer.from(toBob))).toBe(true);
    expect(atBob.received[0]!.channel).toBe(b.name);
    expect(b.name).toBe(broker.url);
  });

  it('holds envelopes for a recipient that is offline and hands them over when it connects again', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    const a = transport({ url: broker.url, identity: alice });
    await started(a, alice);
    // Bob connected once (his session and subscription exist), then went away.
    const first = transport({ url: broker.url, identity: bob });
    await started(first, bob);
    await first.stop();
    const sent = Array.from({ length: 30 }, () => envelope(alice, bob));
    for (const bytes of sent) await a.send(bytes, routeOf(bytes));
    const atBob = await started(transport({ url: broker.url, identity: bob }), bob);
    await until('all 30 held envelopes', () => atBob.ids.size === 30);
    await pause(200);
    expect(atBob.offers, 'each offered exactly once').toBe(30);
  });

  it('fails a send retryably when no session has subscribed to the recipient (MQTT 5 PUBACK 16), and takes it once one has', async () => {
    const [alice, carol] = [party('alice'), party('carol')];
    const a = transport({ url: broker.url, identity: alice });
    await started(a, alice);
    const toCarol = envelope(alice, carol);
    const refused = await a.send(toCarol, routeOf(toCarol)).then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(TransportError);
    expect(refused).toMatchObject({ code: 'RECIPIENT_UNREACHABLE', retryable: true });
    expect((refused as Error).message).toContain('no matching subscribers');
    // Carol connects once (her session subscribes), goes away: now the broker keeps it for her.
    const once = transport({ url: broker.url, identity: carol });
    await started(once, carol);
    await once.stop();
    await a.send(toCarol, routeOf(toCarol));
    const atCarol = await started(transport({ url: broker.url, identity: carol }), carol);
    await until('the envelope sent after Carol subscribed', () => atCarol.ids.size === 1);
  });

  it('resolves send only on the broker’s PUBACK: a frozen broker holds the send until it answers', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    const a = transport({ url: broker.url, identity: alice, keepaliveSeconds: 5 });
    await started(a, alice);
    const atBob = await started(transport({ url: broker.url, identity: bob, keepaliveSeconds: 5 }), bob);
    const bytes = envelope(alice, bob);
    broker.freeze();
    let resolved = false;
    const sending = a.send(bytes, routeOf(bytes)).then((receipt) => {
      resolved = true;
      return receipt;
    });
    try {
      await pause(700);
      expect(resolved, 'send resolved while the broker could not have stored the envelope').toBe(false);
    } finally {
      broker.thaw();
    }
    const receipt = await sending;
    expect(receipt.channel).toBe(a.name);
    await until('the envelope at Bob', () => atBob.ids.has(envelopeId(bytes)));
  });

  it('PUBACKs an inbound envelope only after deliver resolved: one never stored comes back after a reconnect, one stored does not', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    const a = transport({ url: broker.url, identity: alice });
    await started(a, alice);
    const hanging = recorder();
    hanging.mode = 'hang';
    const first = transport({ url: broker.url, identity: bob });
    await started(first, bob, hanging);
    const lost = envelope(alice, bob);
    await a.send(lost, routeOf(lost));
    await until('the first offer', () => hanging.offers === 1);
    // The node never answered (it crashed mid-store): the transport stops without acknowledging.
    await first.stop({ signal: AbortSignal.abort() }).catch(() => undefined);
    const second = transport({ url: broker.url, identity: bob });
    const atBob = await started(second, bob);
    await until('the unacknowledged envelope redelivered', () => atBob.ids.has(envelopeId(lost)));
    await second.stop();
    const third = transport({ url: broker.url, identity: bob });
    const again = await started(third, bob);
    const sentinel = envelope(alice, bob);
    await a.send(sentinel, routeOf(sentinel));
    await until('a sentinel', () => again.ids.has(envelopeId(sentinel)));
    await pause(200);
    expect(again.ids.has(envelopeId(lost)), 'an envelope the node stored is not offered again').toBe(false);
  });

  it('rejects a send at once (CHANNEL_UNAVAILABLE, retryable) while the broker is down, instead of queueing it in memory', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    const a = transport({ url: broker.url, identity: alice });
    await started(a, alice);
    const seen = events(a);
    await broker.stop();
    try {
      await until('health down', () => a.health().state === 'down');
      const bytes = envelope(alice, bob);
      const before = Date.now();
      const error = await a.send(bytes, routeOf(bytes)).then(() => undefined, (failure: unknown) => failure);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).code).toBe('CHANNEL_UNAVAILABLE');
      expect((error as TransportError).retryable).toBe(true);
      // Far below sendTimeoutMs (3 s): it did not wait for a connection or a PUBACK.
      expect(Date.now() - before, 'rejected without waiting').toBeLessThan(1_000);
      expect(seen.some((event) => event.type === 'health' && event.health.state === 'down')).toBe(true);
    } finally {
      await broker.start();
    }
    await until('health up again after the broker restarted', () => a.health().state === 'up');
  });

  it('notices a frozen broker through MQTT keep-alive within seconds, and recovers when it answers again', async () => {
    const alice = party('alice');
    const a = transport({ url: broker.url, identity: alice, keepaliveSeconds: 1 });
    await started(a, alice);
    broker.freeze();
    const frozenAt = Date.now();
    try {
      await until('health down', () => a.health().state === 'down', 6_000);
    } finally {
      broker.thaw();
    }
    expect(Date.now() - frozenAt, 'noticed within about 1.5 keep-alives (plus a loaded machine’s slack)').toBeLessThan(5_000);
    await until('health up again', () => a.health().state === 'up');
  });

  it('loses nothing when the broker is restarted mid-stream (SIGTERM, then started again on the same port and persistence)', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    const a = transport({ url: broker.url, identity: alice });
    await started(a, alice);
    const b = transport({ url: broker.url, identity: bob });
    const atBob = await started(b, bob);
    const sent = Array.from({ length: 200 }, () => envelope(alice, bob));
    let restarted: Promise<void> | undefined;
    await Promise.all(
      sent.map(async (bytes, index) => {
        await pause(index * 5);
        if (index === 80) restarted = broker.stop('SIGTERM').then(() => pause(300)).then(() => broker.start());
        await sendPersistently(a, bytes);
      }),
    );
    await restarted;
    await until('all 200 envelopes at Bob', () => atBob.ids.size === 200, 20_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${atBob.ids.size} arrived (${atBob.offers} offers); broker log: ${broker.logs().slice(-2000)}`);
    });
    expect(sent.every((bytes) => atBob.ids.has(envelopeId(bytes)))).toBe(true);
  });

  it('works with MQTT 3.1.1 when asked to (protocolVersion 4), keeping the persistent session', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    const a = transport({ url: broker.url, identity: alice, protocolVersion: 4 });
    await started(a, alice);
    const first = transport({ url: broker.url, identity: bob, protocolVersion: 4 });
    await started(first, bob);
    await first.stop();
    const bytes = envelope(alice, bob);
    await a.send(bytes, routeOf(bytes));
    const atBob = await started(transport({ url: broker.url, identity: bob, protocolVersion: 4 }), bob);
    await until('the held envelope over 3.1.1', () => atBob.ids.has(envelopeId(bytes)));
  });
});

describe('mqtt transport through Mosquitto with a password file', () => {
  let guarded: MosquittoProcess;
  beforeAll(async () => {
    guarded = await startMosquitto({ users: { herald: 's3cret-pass' } });
  });
  afterAll(async () => {
    await guarded?.close();
  });

  it('logs in with credentials from the URL or the init, keeps them out of the name, and reports refused ones', async () => {
    const [alice, bob] = [party('alice'), party('bob')];
    const port = guarded.port;
    const a = transport({ url: `mqtt://herald:s3cret-pass@127.0.0.1:${port}`, identity: alice });
    expect(a.name).toBe(`mqtt://127.0.0.1:${port}`);
    await started(a, alice);
    const atBob = await started(transport({ url: `mqtt://127.0.0.1:${port}`, identity: bob, username: 'herald', password: 's3cret-pass' }), bob);
    const bytes = envelope(alice, bob);
    await a.send(bytes, routeOf(bytes));
    await until('the envelope', () => atBob.ids.has(envelopeId(bytes)));

    const intruder = transport({ url: `mqtt://127.0.0.1:${port}`, clientId: 'intruder', username: 'herald', password: 'wrong' });
    const seen = events(intruder);
    await intruder.start({ routingTags: [], deliver: async () => undefined });
    expect(intruder.health().state).toBe('down');
    expect(intruder.health().reason).toMatch(/bad user name or password|not authorized/);
    const refused = seen.find((event) => event.type === 'error');
    expect(refused && refused.type === 'error' && (refused.error as TransportError).code).toBe('CHANNEL_REJECTED');
    expect(JSON.stringify(seen.map((event) => (event.type === 'error' ? event.error.message : event.type === 'health' ? event.health : event.offsetMs)))).not.toContain('wrong');
    const error = await intruder.send(bytes, routeOf(bytes)).then(() => undefined, (failure: unknown) => failure as TransportError);
    expect(error?.code).toBe('CHANNEL_UNAVAILABLE');
  });
});
