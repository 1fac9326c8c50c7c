import { describe, expect, it } from 'vitest';
import { lmdbRelayStore } from '../src/index.js';
import { relayStoreSuite } from './helpers/store-suite.js';

relayStoreSuite('LMDB', (place, init) => lmdbRelayStore({ ...init, dir: place.dir, mapSize: 1 << 28 }));

describe('lmdbRelayStore init', () => {
  it('refuses a missing directory or a map size that is not a positive whole number, with precise messages', async () => {
    const limits = { mailboxMaxEnvelopes: 1, mailboxMaxBytes: 1, maxStoredBytes: 1, maxStoredEnvelopes: 1 };
    await expect(lmdbRelayStore({ dir: ' ', mapSize: 1 << 20, limits })).rejects.toThrow('lmdbRelayStore: dir: expected a directory path, got an empty string');
    await expect(lmdbRelayStore({ dir: 'x', mapSize: 0, limits })).rejects.toThrow('lmdbRelayStore: mapSize: expected a positive whole number of bytes, got 0');
    await expect(lmdbRelayStore({ dir: 'x', mapSize: 1.5, limits })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});
