import type { ChildProcess } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity, type Identity } from '@herald/core';
import { startNode, until, type TestNode } from './helpers/nodes.js';
import { clientHello, probe, probes, serveDecoyAlone, type ProbeRequest } from './helpers/prober.js';
import { serveRelay } from '../src/index.js';
import { removeTempDirs, spawnRelay, tempDir, type RelayProcess } from './helpers/relay-process.js';

/** The relay's decoy handler, as built: the site served alone runs exactly the code the relay runs for it. */
const SITE_MODULE = fileURLToPath(new URL('../dist/decoy/site.js', import.meta.url));

let site: string;
let relay: RelayProcess;
let alone: { port: number; child: ChildProcess };
const nodes: TestNode[] = [];

beforeAll(async () => {
  site = await tempDir('herald-decoy-site-');
  await writeFile(join(site, 'index.html'), '<!DOCTYPE html>\n<html><head><title>Allotment society</title></head><body><p>Plots available in spring.</p></body></html>\n');
  await writeFile(join(site, 'robots.txt'), 'User-agent: *\nDisallow:\n');
  await mkdir(join(site, 'news'));
  await writeFile(join(site, 'news', 'index.html'), '<p>AGM on Thursday.</p>\n');
  relay = await spawnRelay({ args: ['--decoy-site', site], config: { heartbeatIntervalMs: 1000 } });
  alone = await serveDecoyAlone(SITE_MODULE, site);
});

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  alone?.child.kill('SIGKILL');
  await relay?.kill('SIGKILL');
  await removeTempDirs();
});

/** Alice and Bob, two real nodes that know each other, on the relay at `url` (stopped after the tests). */
async function pairOn(url: string): Promise<{ a: TestNode; b: TestNode; alice: Identity; bob: Identity }> {
  const alice = generateIdentity({ label: 'Alice' });
  const bob = generateIdentity({ label: 'Bob' });
  const a = await startNode(alice, [bob], [url]);
  nodes.push(a);
  const b = await startNode(bob, [alice], [url]);
  nodes.push(b);
  return { a, b, alice, bob };
}

/**
 * Plays an active prober against the relay and against the site alone (`sitePort`): every answer (minus Date), and
 * whether the connection was closed, must be the same; none may name Herald or carry a Server header.
 */
async function expectIndistinguishable(target: RelayProcess, sitePort: number): Promise<void> {
  const knockPath = new URL(target.url).pathname;
  const requests: [string, ProbeRequest][] = [...Object.entries(probes(knockPath)), ['TLS ClientHello', await clientHello()]];
  const differences: string[] = [];
  const fromRelay: Record<string, string> = {};
  // A few at a time: each waits for the connection to go quiet.
  for (let start = 0; start < requests.length; start += 6) {
    await Promise.all(requests.slice(start, start + 6).map(async ([name, request]) => {
      const [relayAnswer, siteAnswer] = await Promise.all([probe(target.port, request), probe(sitePort, request)]);
      fromRelay[name] = relayAnswer.text;
      if (relayAnswer.text !== siteAnswer.text || relayAnswer.closed !== siteAnswer.closed) differences.push(`${name}:\n  relay ${JSON.stringify(relayAnswer)}\n  site  ${JSON.stringify(siteAnswer)}`);
    }));
  }
  expect(differences).toEqual([]);
  // The comparison means something: the site answered, with its page and with errors.
  expect(fromRelay['GET /']).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*Allotment society/);
  expect(fromRelay['upgrade /herald']).toMatch(/^HTTP\/1\.1 404 /);
  expect(fromRelay['TLS ClientHello']).toMatch(/^HTTP\/1\.1 400 /);
  expect(fromRelay['upgrade; later a request, then garbage']).toMatch(/^HTTP\/1\.1 404 [\s\S]*HTTP\/1\.1 200 OK[\s\S]*Disallow:[\s\S]*HTTP\/1\.1 400 /);
  for (const [name, text] of Object.entries(fromRelay)) {
    expect(text.toLowerCase(), name).not.toContain('herald');
    expect(text.toLowerCase(), name).not.toMatch(/\r\nserver:/);
  }
}

describe('a relay behind a decoy website', () => {
  it('prints a keyed URL, from a secret kept 0600 in its data dir', async () => {
    const path = new URL(relay.url).pathname;
    expect(path).toMatch(/^\/[A-Za-z0-9_-]{43}$/);
    const info = await stat(join(relay.dataDir, 'store', 'knock.key'));
    expect(info.mode & 0o777).toBe(0o600);
  });

  it('answers an active prober exactly as the site served alone does, and names Herald nowhere', async () => {
    await expectIndistinguishable(relay, alone.port);
  });

  it('refuses a WebSocket client without the knock as any web server does: no 101, no close code', async () => {
    const refused = await new Promise<string>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${relay.port}/`);
      socket.on('unexpected-response', (_request, response) => {
        resolve(`HTTP ${response.statusCode}`);
        socket.terminate();
      });
      socket.on('open', () => resolve('opened'));
      socket.on('error', (error) => resolve(`error ${error.message}`));
    });
    expect(refused).toBe('HTTP 200');
  });

  it('lets nodes that dial the keyed URL exchange messages', async () => {
    const { a, b, alice, bob } = await pairOn(relay.url);
    await a.node.send(bob.card, 'behind the allotment page');
    await b.node.send(alice.card, 'received, thanks');
    await until('both to receive', () => b.received.length >= 1 && a.received.length >= 1);
    expect(b.received).toEqual(['behind the allotment page']);
    expect(a.received).toEqual(['received, thanks']);
    expect(relay.logs()).not.toContain(new URL(relay.url).pathname.slice(1));
  });
});

describe('a relay behind a reverse-proxied decoy (--decoy-proxy)', () => {
  it('answers an active prober exactly as the proxied site does, and still carries messages on the keyed URL', async () => {
    const proxied = await spawnRelay({ args: ['--decoy-proxy', `http://127.0.0.1:${alone.port}/`] });
    try {
      await expectIndistinguishable(proxied, alone.port);
      const { a, b, bob } = await pairOn(proxied.url);
      await a.node.send(bob.card, 'through the proxied decoy');
      await until('Bob to receive', () => b.received.length >= 1);
      expect(b.received).toEqual(['through the proxied decoy']);
    } finally {
      await proxied.kill('SIGKILL');
    }
  });
});

describe('the URLs a relay behind a decoy prints', () => {
  it('the listening URL with the keyed path first, then each public URL with the keyed path in place of its own', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const dataDir = await tempDir('herald-decoy-urls-');
    const serving = serveRelay({ listen: '127.0.0.1:0', dataDir, decoySite: site, logLevel: 'silent', publicUrls: ['wss://relay.example/herald', 'ws://relay.onion/'] }, { signal: stop.signal, write: (line) => void lines.push(line) });
    await until('the relay to print its URLs', () => lines.length >= 3);
    stop.abort();
    await serving;
    const knock = new URL(lines[0]!.replace('relay listening on ', '').trim()).pathname;
    expect(knock).toMatch(/^\/[A-Za-z0-9_-]{43}$/);
    expect(lines[0]).toMatch(new RegExp(`^relay listening on ws://127\\.0\\.0\\.1:\\d+${knock}\n$`));
    expect(lines.slice(1, 3)).toEqual([`relay public URL wss://relay.example${knock}\n`, `relay public URL ws://relay.onion${knock}\n`]);
  });
});
