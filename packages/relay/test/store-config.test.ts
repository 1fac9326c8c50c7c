import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initFromFlags, parseRelayConfig, resolveRelayInit } from '../src/index.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('the relay’s store option (a NATS cluster)', () => {
  it('reads store: from the YAML config, its files from the config’s folder and its …Ms as durations', () => {
    const init = parseRelayConfig('store:\n  servers: nats://h1:4222,h2:4222\n  replicas: 3\n  requestTimeoutMs: 15s\n  credentialsFile: relay.creds\n  tls:\n    caFile: ca.pem\n', '/etc/herald/relay.yaml');
    expect(init.store).toEqual({ servers: 'nats://h1:4222,h2:4222', replicas: 3, requestTimeoutMs: 15_000, credentialsFile: '/etc/herald/relay.creds', tls: { caFile: '/etc/herald/ca.pem' } });
  });

  it('validates it with the relay’s options: a URL string or a mapping, with precise messages', () => {
    expect(resolveRelayInit({ dataDir: '/d', store: 'nats://h1:4222' }).store).toEqual({ servers: 'nats://h1:4222' });
    expect(() => resolveRelayInit({ dataDir: '/d', store: 'http://h1' })).toThrow(/startRelay: store: servers: "http:\/\/h1": expected a nats:\/\/ or tls:\/\/ URL/);
    expect(() => resolveRelayInit({ dataDir: '/d', store: { servers: 'nats://h1:4222', replicas: 4 } })).toThrow(/store: replicas: expected 1, 3 or 5/);
  });

  it('lets --store and --store-replicas amend the config file’s store, keeping its credentials', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'herald-store-config-'));
    dirs.push(dir);
    const config = join(dir, 'relay.yaml');
    await writeFile(config, `dataDir: data\nstore:\n  servers: nats://old:4222\n  user: relay\n  password: secret\n`);
    const init = await initFromFlags({ config, store: 'nats://h1:4222,h2:4222', storeReplicas: '5' });
    expect(init.store).toEqual({ servers: 'nats://h1:4222,h2:4222', user: 'relay', password: 'secret', replicas: 5 });
    await expect(initFromFlags({ dataDir: dir, storeReplicas: '3' })).rejects.toThrow(/--store-replicas: give the cluster too/);
    const unchecked = await initFromFlags({ dataDir: dir, store: 'nats://h1:4222', storeReplicas: 'three' });
    expect(() => resolveRelayInit(unchecked)).toThrow(/store: replicas: expected 1, 3 or 5 .*, got "three"/);
  });
});
