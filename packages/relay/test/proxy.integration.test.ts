import { freePort } from '@herald/mail-test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '@herald/core';
import { PROXY_ONLY_HOST, startMicrosocks, startSourceWitness, startTinyproxy, type ProxyProcess, type SourceWitness } from '@herald/transport-compliance';
import { startNode, until, type TestNode } from './helpers/nodes.js';
import { removeTempDirs, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/**
 * ws:// nodes through real proxies (tinyproxy for HTTP CONNECT, microsocks for SOCKS5) to a real relay process.
 * The relay sits behind a witness that records each connection's source address: the proxies leave from
 * 127.0.0.2, so a connection from anywhere else would be one made around the proxy. The relay is named by a host
 * name only the proxies can resolve (PROXY_ONLY_HOST), so the channel working at all shows the proxy resolved it.
 */
let relay: RelayProcess;
let witness: SourceWitness;
let url: string;
const nodes: TestNode[] = [];
beforeAll(async () => {
  const relayPort = await freePort();
  witness = await startSourceWitness(relayPort);
  // A name only the proxies resolve: this machine neither looks it up nor could reach it directly.
  url = `ws://${PROXY_ONLY_HOST}:${witness.port}/`;
  // Nodes sign the URL they dial (the witness's): the relay must know it as one of its own.
  relay = await spawnRelay({ port: relayPort, config: { heartbeatIntervalMs: 1000, publicUrls: [url] } });
});
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  await relay?.kill('SIGKILL');
  await witness?.close();
  await removeTempDirs();
});

describe.each([
  ['an HTTP CONNECT proxy (tinyproxy)', startTinyproxy],
  ['a SOCKS5 proxy (microsocks)', startMicrosocks],
])('relay channel through %s', (_kind, startProxy) => {
  let proxy: ProxyProcess;
  beforeAll(async () => {
    proxy = await startProxy();
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('exchanges messages, recovers when the proxy is killed mid-stream and restarted, and never connects around it', async () => {
    const before = witness.sources().length;
    const [alice, bob] = [generateIdentity({ label: 'Alice' }), generateIdentity({ label: 'Bob' })];
    const a = await startNode(alice, [bob], [url], { proxy: proxy.url });
    const b = await startNode(bob, [alice], [url], { proxy: proxy.url });
    nodes.push(a, b);
    await a.node.send(bob.card, 'through the proxy');
    await b.node.send(alice.card, 'and back');
    await until('both messages', () => b.received.includes('through the proxy') && a.received.includes('and back'));

    await proxy.kill();
    await a.node.send(bob.card, 'across the restart');
    await proxy.start();
    await until('the message sent while the proxy was down', () => b.received.includes('across the restart'));

    const sources = witness.sources().slice(before);
    expect(sources.length, 'two first connections and two after the restart').toBeGreaterThanOrEqual(4);
    expect(new Set(sources), 'every connection the relay saw came from the proxy').toEqual(new Set(['127.0.0.2']));
  });
});
