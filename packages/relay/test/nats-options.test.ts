import { describe, expect, it } from 'vitest';
import { resolveNatsStoreOptions } from '../src/store/nats/options.js';

describe('the NATS store options', () => {
  it('takes a comma-separated server list (scheme optional) and fills in the defaults', () => {
    const options = resolveNatsStoreOptions({ servers: 'nats://h1:4222, h2:4222,tls://h3:4443' });
    expect(options.servers).toEqual(['nats://h1:4222', 'nats://h2:4222', 'tls://h3:4443']);
    expect([options.replicas, options.name, options.connectTimeoutMs, options.requestTimeoutMs, options.reconnectMinMs, options.reconnectMaxMs]).toEqual([3, 'HERALD', 30_000, 10_000, 250, 10_000]);
    expect(resolveNatsStoreOptions({ servers: ['nats://h1:4222'], replicas: 1, user: 'relay', password: 'secret', tls: { caFile: '/ca.pem' } })).toMatchObject({ replicas: 1, user: 'relay', tls: { caFile: '/ca.pem' } });
    expect(options.sourceDomains).toEqual([]);
    expect(resolveNatsStoreOptions({ servers: 'nats://h1:4222', sourceDomains: ['post-1', 'post_2'] }).sourceDomains).toEqual(['post-1', 'post_2']);
    expect([options.sources, options.duplicateWindowMs]).toEqual([[], 120_000]);
    // The duplicate window follows a longer request timeout unless given.
    expect(resolveNatsStoreOptions({ servers: 'nats://h1:4222', requestTimeoutMs: 300_000 }).duplicateWindowMs).toBe(300_000);
    expect(resolveNatsStoreOptions({ servers: 'nats://h1:4222', name: 'POST1', sources: [{ domain: 'hub', name: 'HERALD' }] }).sources).toEqual([{ domain: 'hub', name: 'HERALD' }]);
  });

  it.each([
    [{ servers: '' }, /servers: an empty server in ""/],
    [{ servers: 'nats://h1:4222,,h2:4222' }, /servers: an empty server/],
    [{ servers: 'http://h1:4222' }, /expected a nats:\/\/ or tls:\/\/ URL/],
    [{ servers: 'nats://user:pw@h1:4222' }, /credentials go in user\/password/],
    [{ servers: 'nats://h1:4222', replicas: 2 }, /replicas: expected 1, 3 or 5/],
    [{ servers: 'nats://h1:4222', name: 'has.dot' }, /name: expected 1 to 32 letters/],
    [{ servers: 'nats://h1:4222', user: 'relay' }, /user and password go together/],
    [{ servers: 'nats://h1:4222', user: 'relay', password: 'x', token: 't' }, /give one of user\/password, token or credentialsFile/],
    [{ servers: 'nats://h1:4222', tls: { certFile: '/c.pem' } }, /certFile and keyFile go together/],
    [{ servers: 'nats://h1:4222', tls: { ca: '/c.pem' } }, /tls: unknown option "ca"/],
    [{ servers: 'nats://h1:4222', requestTimeoutMs: 5 }, /requestTimeoutMs: expected whole milliseconds from 100/],
    [{ servers: 'nats://h1:4222', reconnectMinMs: 5000, reconnectMaxMs: 1000 }, /reconnectMaxMs \(1000\) must be at least reconnectMinMs \(5000\)/],
    [{ servers: 'nats://h1:4222', replica: 3 }, /unknown option "replica"/],
    [{ servers: 'nats://h1:4222', sourceDomains: 'post1' }, /sourceDomains: expected a list of JetStream domains/],
    [{ servers: 'nats://h1:4222', sourceDomains: ['post.1'] }, /sourceDomains: expected a list of JetStream domains/],
    [{ servers: 'nats://h1:4222', sourceDomains: ['post1', 'post1'] }, /names a domain twice/],
    [{ servers: 'nats://h1:4222', requestTimeoutMs: 20_000, duplicateWindowMs: 5_000 }, /duplicateWindowMs \(5000\) must be at least requestTimeoutMs \(20000\)/],
    [{ servers: 'nats://h1:4222', sources: [{ domain: 'post1' }] }, /sources: expected a list of \{ domain, name \}/],
    [{ servers: 'nats://h1:4222', sources: [{ domain: 'post1', name: 'P', extra: 1 }] }, /sources: expected a list of \{ domain, name \}/],
    [{ servers: 'nats://h1:4222', sources: [{ domain: 'post1', name: 'herald' }] }, /uses this relay's own name "HERALD"/],
    [{ servers: 'nats://h1:4222', sourceDomains: ['post1'], sources: [{ domain: 'post1', name: 'POST1' }] }, /a domain is named twice/],
  ])('refuses %j with a precise message', (options, message) => {
    expect(() => resolveNatsStoreOptions(options as never, 'store')).toThrow(message);
    try {
      resolveNatsStoreOptions(options as never, 'store');
    } catch (error) {
      expect((error as { code?: string }).code).toBe('INVALID_OPTIONS');
    }
  });
});
