import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeBothWays, PROXY_ONLY_HOST, startMicrosocks, startSourceWitness, startTinyproxy, type ProxyProcess, type SourceWitness } from '@herald/transport-compliance';
import { startMosquitto, type MosquittoProcess } from '@herald/transport-mqtt/testing';
import { envelope, party, recorder, sendPersistently, started, transport, until } from './helpers.js';

/**
 * mqtt:// through real proxies (tinyproxy for HTTP CONNECT, microsocks for SOCKS5) on loopback. The broker sits
 * behind a witness that records each connection's source address: the proxies leave from 127.0.0.2, so a
 * connection from anywhere else would be one made around the proxy. The broker is named by a host name only the
 * proxies can resolve (PROXY_ONLY_HOST), so the channel working at all shows the proxy resolved it.
 */
let broker: MosquittoProcess;
let witness: SourceWitness;
beforeAll(async () => {
  broker = await startMosquitto();
  witness = await startSourceWitness(broker.port);
});
afterAll(async () => {
  await witness?.close();
  await broker?.close();
});

describe.each([
  ['an HTTP CONNECT proxy (tinyproxy)', startTinyproxy],
  ['a SOCKS5 proxy (microsocks)', startMicrosocks],
])('mqtt transport through %s', (_kind, startProxy) => {
  let proxy: ProxyProcess;
  beforeAll(async () => {
    proxy = await startProxy();
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('exchanges envelopes, recovers when the proxy is killed mid-stream and restarted, and never connects around it', async () => {
    const before = witness.sources().length;
    // A name only the proxy resolves: this machine neither looks it up nor could reach it directly.
    const url = `mqtt://${PROXY_ONLY_HOST}:${witness.port}`;
    const [alice, bob] = [party('alice'), party('bob')];
    const a = transport({ url, identity: alice, proxy: proxy.url });
    const b = transport({ url, identity: bob, proxy: proxy.url });
    const [atAlice, atBob] = [await started(a, alice), await started(b, bob)];
    await exchangeBothWays({ a, atAlice, b, atBob, toBob: envelope(alice, bob), toAlice: envelope(bob, alice) });

    await proxy.kill();
    await until('both channels to notice the lost tunnel', () => a.health().state !== 'up' && b.health().state !== 'up');
    const lost = envelope(alice, bob);
    const sending = sendPersistently(a, lost, 20_000);
    await proxy.start();
    await sending;
    await until('the envelope sent across the restart', () => atBob.received.some((each) => Buffer.from(each.bytes).equals(Buffer.from(lost))), 15_000);

    const sources = witness.sources().slice(before);
    expect(sources.length, 'two first connections and two after the restart').toBeGreaterThanOrEqual(4);
    expect(new Set(sources), 'every connection the broker saw came from the proxy').toEqual(new Set(['127.0.0.2']));
  });

  it('takes the proxy from ALL_PROXY when the channel names none; NO_PROXY, proxy: false and loopback hosts bypass it', async () => {
    const url = `mqtt://${PROXY_ONLY_HOST}:${witness.port}`;
    const saved = { ALL_PROXY: process.env.ALL_PROXY, NO_PROXY: process.env.NO_PROXY, HTTPS_PROXY: process.env.HTTPS_PROXY };
    const [carol, dave, erin, frank] = [party('carol'), party('dave'), party('erin'), party('frank')];
    try {
      process.env.ALL_PROXY = proxy.url;
      delete process.env.NO_PROXY;
      delete process.env.HTTPS_PROXY;
      const before = witness.sources().length;
      await started(transport({ url, identity: carol }), carol, recorder());
      expect(witness.sources().slice(before)).toEqual(['127.0.0.2']);

      // Around the proxy, the name only the proxy knows cannot even be looked up: the channel stays down.
      const direct = transport({ url, identity: dave, proxy: false });
      await direct.start({ routingTags: [], deliver: async () => undefined });
      expect(direct.health()).toMatchObject({ state: 'down', reason: expect.stringMatching(/ENOTFOUND|EAI_AGAIN|getaddrinfo/) });
      process.env.NO_PROXY = PROXY_ONLY_HOST;
      const excepted = transport({ url, identity: erin });
      await excepted.start({ routingTags: [], deliver: async () => undefined });
      expect(excepted.health()).toMatchObject({ state: 'down', reason: expect.stringMatching(/ENOTFOUND|EAI_AGAIN|getaddrinfo/) });

      delete process.env.NO_PROXY;
      const loopback = witness.sources().length;
      await started(transport({ url: `mqtt://127.0.0.1:${witness.port}`, identity: frank }), frank);
      expect(witness.sources().slice(loopback)).toEqual(['127.0.0.1']);
    } finally {
      for (const [key, value] of Object.entries(saved)) if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
});
