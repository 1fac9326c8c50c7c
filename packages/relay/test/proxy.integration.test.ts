import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { freePort } from '@herald/mail-test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity, seal, toHex, type InboundEnvelope } from '@herald/core';
import { webSocketTransport } from '@herald/transport-websocket';
import { PROXY_ONLY_HOST, startMicrosocks, startSourceWitness, startTinyproxy, type ProxyProcess, type SourceWitness } from '@herald/transport-compliance';
import { startNode, until, type TestNode } from './helpers/nodes.js';
import { removeTempDirs, spawnRelay, tempDir, type RelayProcess } from './helpers/relay-process.js';

/**
 * ws:// nodes through real proxies (tinyproxy for HTTP CONNECT, microsocks for SOCKS5) to a real relay process.
 * The relay sits behind a witness that records each connection's source address: the proxies leave from
 * 127.0.0.2, so a connection from anywhere else would be one made around the proxy. The relay is named by a host
 * name only the proxies can resolve (PROXY_ONLY_HOST), so the channel working at all shows the proxy resolved it.
 */
let relay: RelayProcess;
let witness: SourceWitness;
let url: string;
/** wss:// by a TLS terminator in front of the relay, with a certificate for PROXY_ONLY_HOST. */
let tls: { server: TlsServer; url: string; ca: Buffer; sources: string[] };
const nodes: TestNode[] = [];
beforeAll(async () => {
  const relayPort = await freePort();
  witness = await startSourceWitness(relayPort);
  // A name only the proxies resolve: this machine neither looks it up nor could reach it directly.
  url = `ws://${PROXY_ONLY_HOST}:${witness.port}/`;
  tls = await tlsTerminator(relayPort);
  // Nodes sign the URL they dial (the witness's, the terminator's): the relay must know them as its own.
  relay = await spawnRelay({ port: relayPort, config: { heartbeatIntervalMs: 1000, publicUrls: [url, tls.url] } });
});
afterAll(async () => {
  tls?.server.close();
  await Promise.all(nodes.map((node) => node.stop()));
  await relay?.kill('SIGKILL');
  await witness?.close();
  await removeTempDirs();
});

/** A self-signed certificate (and its key) for PROXY_ONLY_HOST. */
async function selfSigned(): Promise<[Buffer, Buffer]> {
  const dir = await tempDir('herald-proxy-wss-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${PROXY_ONLY_HOST}`, '-addext', `subjectAltName=DNS:${PROXY_ONLY_HOST}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const [key, cert] = await Promise.all([readFile(join(dir, 'key.pem')), readFile(join(dir, 'cert.pem'))]);
  return [key, cert];
}

async function tlsTerminator(relayPort: number): Promise<typeof tls> {
  const [key, cert] = await selfSigned();
  const sources: string[] = [];
  const server = createTlsServer({ key, cert }, (socket) => {
    sources.push(socket.remoteAddress ?? '?');
    const upstream = netConnect(relayPort, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `wss://${PROXY_ONLY_HOST}:${(server.address() as { port: number }).port}/`, ca: cert, sources };
}

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

  it('carries wss:// end to end through the tunnel, the certificate checked against the relay\'s name', async () => {
    const before = tls.sources.length;
    const [alice, bob] = [generateIdentity(), generateIdentity()];
    const got: InboundEnvelope[] = [];
    const common = { url: tls.url, proxy: proxy.url, tls: { ca: tls.ca }, minReconnectDelayMs: 50, maxReconnectDelayMs: 300 };
    const receiver = webSocketTransport({ ...common, identity: bob });
    const sender = webSocketTransport({ ...common, identity: alice, collect: false });
    try {
      await receiver.start({ routingTags: [toHex(bob.card.routingTag)], deliver: async (envelope) => void got.push(envelope) });
      await sender.start({ routingTags: [], deliver: async () => undefined });
      expect(sender.health().state, sender.health().reason).toBe('up');
      await sender.send(seal('over TLS through the proxy', { from: alice, to: bob.card }), { messageId: '', routingTags: [], expiresAt: 0 });
      await until('the envelope over wss through the proxy', () => got.length === 1);
    } finally {
      await Promise.all([sender.stop(), receiver.stop()]);
    }
    expect(new Set(tls.sources.slice(before))).toEqual(new Set(['127.0.0.2']));

    // A CA that did not sign the relay's certificate is refused through the tunnel as it would be directly.
    const untrusted = webSocketTransport({ ...common, identity: alice, collect: false, tls: { ca: (await selfSigned())[1] } });
    try {
      await untrusted.start({ routingTags: [], deliver: async () => undefined });
      expect(untrusted.health().state).toBe('down');
      expect(untrusted.health().reason).toMatch(/certificate|self.signed/i);
    } finally {
      await untrusted.stop();
    }
  });
});
