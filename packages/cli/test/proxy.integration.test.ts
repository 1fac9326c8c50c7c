import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@herald/mail-test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROXY_ONLY_HOST, startMicrosocks, startSourceWitness, startTinyproxy, type ProxyProcess, type SourceWitness } from '@herald/transport-compliance';
import { removeTempDirs, spawnRelay, type RelayProcess } from '../../relay/test/helpers/relay-process.js';
import { aliceAndBob, herald, run, until } from './process-kit.js';

/**
 * `herald send` and `herald listen` over a relay reached only through a proxy: `--proxy` for one, HTTPS_PROXY for
 * the other. The relay is named by a host only the proxies resolve and sits behind a witness of source addresses.
 */
const workdir = await mkdtemp(join(tmpdir(), 'herald-cli-proxy-'));
let relay: RelayProcess;
let witness: SourceWitness;
let url: string;
let socks: ProxyProcess;
let http: ProxyProcess;
beforeAll(async () => {
  const relayPort = await freePort();
  witness = await startSourceWitness(relayPort);
  url = `ws://${PROXY_ONLY_HOST}:${witness.port}/`;
  relay = await spawnRelay({ port: relayPort, config: { publicUrls: [url] } });
  [socks, http] = [await startMicrosocks(), await startTinyproxy()];
});
afterAll(async () => {
  await socks?.close();
  await http?.close();
  await relay?.kill('SIGKILL');
  await witness?.close();
  await removeTempDirs();
  await rm(workdir, { recursive: true, force: true });
});

describe('herald through a proxy', () => {
  it('sends with --proxy (SOCKS5) and listens with HTTPS_PROXY (CONNECT), every connection through a proxy', async () => {
    const { keys } = await aliceAndBob(workdir);
    const [aliceData, bobData] = [join(workdir, 'alice-data'), join(workdir, 'bob-data')];
    const added = await herald(['contacts', 'add', join(workdir, 'alice.card'), '--data-dir', bobData]);
    expect(added.code, added.stderr).toBe(0);
    const listener = run(['listen', '--key', keys.bob, '--via', url, '--data-dir', bobData], { HTTPS_PROXY: http.url, ALL_PROXY: '', NO_PROXY: '' });
    try {
      const sent = await herald(['send', '--key', keys.alice, '--to', join(workdir, 'bob.card'), '--via', url, '--proxy', socks.url, '--data-dir', aliceData, '--wait', '20s', 'over Tor, as it were'], { env: { HTTPS_PROXY: '', ALL_PROXY: '', NO_PROXY: '' } });
      expect(sent.code, sent.stderr).toBe(0);
      await until(() => listener.output().includes('over Tor, as it were'), 20_000, 'the message at the listener');
    } finally {
      listener.child.kill('SIGTERM');
      await listener.exited;
    }
    expect(witness.sources().length).toBeGreaterThanOrEqual(2);
    expect(new Set(witness.sources())).toEqual(new Set(['127.0.0.2']));
  });

  it('refuses a --proxy it cannot use, before connecting anywhere', async () => {
    const folder = await mkdtemp(join(workdir, 'refused-'));
    const { keys } = await aliceAndBob(folder);
    const before = witness.sources().length;
    const refused = await herald(['send', '--key', keys.alice, '--to', join(folder, 'bob.card'), '--via', url, '--proxy', 'socks4://127.0.0.1:1080', '--data-dir', join(folder, 'data'), 'never sent']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--proxy: proxy scheme socks4: is not supported');
    expect(witness.sources().length).toBe(before);
  });
});
