import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRelayConfig, resolveRelayInit, startRelay } from '../src/index.js';
import { removeTempDirs, tempDir } from './helpers/relay-process.js';
import { urlPolicy, withPath } from '../src/ws/urls.js';

afterAll(removeTempDirs);

const KNOCK = '/4-I-ZIY5aHkU_a9t82D5OhFw7llQkJ_TBBG4m9VrhYMx';

describe('the decoy options', () => {
  it('reads decoySite from YAML against the file, and decoyProxy as given', () => {
    expect(parseRelayConfig('dataDir: d\ndecoySite: ./www\n', '/etc/herald/relay.yaml')).toMatchObject({ decoySite: '/etc/herald/www' });
    expect(resolveRelayInit({ dataDir: 'd', decoyProxy: 'https://example.org/' })).toMatchObject({ decoyProxy: 'https://example.org/', decoySite: undefined });
  });

  it('refuses two decoys, an empty folder name and a proxy that is not an http(s) URL, with precise messages', () => {
    expect(() => resolveRelayInit({ dataDir: 'd', decoySite: 'www', decoyProxy: 'http://x/' })).toThrow('startRelay: decoySite cannot be combined with decoyProxy');
    expect(() => resolveRelayInit({ dataDir: 'd', decoySite: ' ' })).toThrow('startRelay: decoySite: expected a directory path');
    expect(() => resolveRelayInit({ dataDir: 'd', decoyProxy: 'ftp://x/' })).toThrow('startRelay: decoyProxy: expected an http:// or https:// URL, got "ftp://x/"');
    expect(() => resolveRelayInit({ dataDir: 'd', decoyProxy: 'not a url' })).toThrow('decoyProxy: expected an http:// or https:// URL');
  });

  it('refuses to start on a decoy folder that is missing or is a file', async () => {
    const dir = await tempDir('herald-decoy-');
    await writeFile(join(dir, 'file'), 'x');
    await expect(startRelay({ dataDir: join(dir, 'data'), listen: '127.0.0.1:0', decoySite: join(dir, 'missing') })).rejects.toThrow(`startRelay: decoySite: cannot read ${JSON.stringify(join(dir, 'missing'))}: ENOENT`);
    await expect(startRelay({ dataDir: join(dir, 'data'), listen: '127.0.0.1:0', decoySite: join(dir, 'file') })).rejects.toThrow('is not a directory');
  });
});

/** Behind a decoy, the URL a client signs must carry the keyed path: another path is not this relay. */
describe('the URLs a relay behind a decoy accepts', () => {
  it('its own URLs with the keyed path only', () => {
    const policy = urlPolicy(resolveRelayInit({ dataDir: 'd', listen: '127.0.0.1:7700' }), 7700, KNOCK);
    expect(policy.allowed(`ws://127.0.0.1:7700${KNOCK}`)).toBe(true);
    expect(policy.allowed(`ws://localhost:7700${KNOCK}`)).toBe(true);
    for (const url of ['ws://127.0.0.1:7700/', `ws://127.0.0.1:7700${KNOCK}x`, `ws://127.0.0.1:7701${KNOCK}`]) expect(policy.allowed(url), url).toBe(false);
  });

  it('publicUrls take the keyed path in place of theirs', () => {
    const policy = urlPolicy(resolveRelayInit({ dataDir: 'd', listen: '0.0.0.0:7700', publicUrls: ['wss://relay.example/herald'] }), 7700, KNOCK);
    expect(policy.allowed(`wss://relay.example${KNOCK}`)).toBe(true);
    expect(policy.allowed('wss://relay.example/herald')).toBe(false);
    expect(withPath('wss://relay.example/', KNOCK)).toBe(`wss://relay.example${KNOCK}`);
    expect(withPath('wss://relay.example/herald', '/')).toBe('wss://relay.example/herald');
  });
});
