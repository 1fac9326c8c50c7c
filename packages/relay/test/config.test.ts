import { describe, expect, it } from 'vitest';
import { parseRelayConfig, resolveRelayInit } from '../src/index.js';

describe('relay configuration', () => {
  it('reads YAML with every option and resolves paths against the file', () => {
    const init = parseRelayConfig('listen: 127.0.0.1:0\ndataDir: ./data\nmailboxMaxEnvelopes: 10\nallowDeposit: [alice.card]\nlogLevel: warn\n', '/etc/herald/relay.yaml');
    expect(init).toMatchObject({ listen: '127.0.0.1:0', dataDir: '/etc/herald/data', mailboxMaxEnvelopes: 10, allowDeposit: ['/etc/herald/alice.card'], logLevel: 'warn' });
    const resolved = resolveRelayInit(init as never);
    expect(resolved).toMatchObject({ host: '127.0.0.1', port: 0, pushWindow: 128, maxEnvelopeBytes: 1024 * 1024 });
  });

  it('names the file, the line and the key in every refusal', () => {
    expect(() => parseRelayConfig('listen: [1, 2\n', 'r.yaml')).toThrow(/^config r\.yaml, line \d+: not valid YAML/);
    expect(() => parseRelayConfig('dataDir: d\nlistn: 127.0.0.1:7700\n', 'r.yaml')).toThrow('config r.yaml, line 2: unknown option "listn" (did you mean "listen"?)');
    expect(() => parseRelayConfig('- a\n- b\n', 'r.yaml')).toThrow('expected a mapping of options');
    expect(() => resolveRelayInit({ dataDir: 'd', mailboxMaxEnvelopes: 'ten' } as never, 'config r.yaml')).toThrow('config r.yaml: mailboxMaxEnvelopes: expected whole envelopes from 1 to 10000000, got "ten"');
    expect(() => resolveRelayInit({ dataDir: 'd', listen: 'localhost' })).toThrow('startRelay: listen: expected host:port');
    expect(() => resolveRelayInit({ dataDir: 'd', padding: 'yes' } as never)).toThrow('startRelay: padding: expected true or false, got "yes"');
    expect(() => resolveRelayInit({ dataDir: 'd', coverEcho: 1 } as never)).toThrow('startRelay: coverEcho: expected true or false, got 1');
    expect(resolveRelayInit({ dataDir: 'd' })).toMatchObject({ padding: true, coverEcho: true, coverMaxFramesPerMinute: 600 });
    expect(() => resolveRelayInit({ dataDir: 'd', coverMaxFramesPerMinute: 6001 })).toThrow('startRelay: coverMaxFramesPerMinute: expected whole frames per minute from 0 to 6000, got 6001');
    expect(resolveRelayInit({ dataDir: 'd', padding: false, coverEcho: false })).toMatchObject({ padding: false, coverEcho: false });
    expect(() => resolveRelayInit({ dataDir: 'd', logLevel: 'loud' } as never)).toThrow('logLevel: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"');
    expect(() => resolveRelayInit({ dataDir: 'd', publicUrls: ['http://x'] })).toThrow('publicUrls: "http://x" is not a ws:// or wss:// URL');
    expect(() => resolveRelayInit({ dataDir: 'd', mqttPublicUrls: ['mqtt://x:1883'] })).toThrow('mqttPublicUrls: needs mqtt');
    expect(() => resolveRelayInit({ dataDir: 'd', mqtt: '127.0.0.1:0', mqttPublicUrls: ['ws://x'] })).toThrow('mqttPublicUrls: "ws://x" is not an mqtt:// or mqtts:// URL');
    expect(() => resolveRelayInit({ dataDir: 'd', mqtt: '127.0.0.1:0', mqttPublicUrls: ['mqtt://u:p@x:1883'] })).toThrow('expected scheme, host and port only');
    expect(() => resolveRelayInit({ dataDir: 'd', mqtt: '127.0.0.1:0', mqttPublicUrls: ['mqtts://x/herald'] })).toThrow('expected scheme, host and port only');
    expect(resolveRelayInit({ dataDir: 'd', mqtt: '127.0.0.1:0', mqttPublicUrls: ['mqtts://relay.example:8883'] }).mqttPublicUrls).toEqual(['mqtts://relay.example:8883']);
    expect(() => resolveRelayInit({ dataDir: 'd', pauseBufferedBytes: 4096, maxBufferedBytes: 2048 })).toThrow('maxBufferedBytes (2048) must be at least pauseBufferedBytes (4096)');
    expect(() => resolveRelayInit({} as never)).toThrow('dataDir: expected a directory path');
    expect(() => parseRelayConfig('dataDir: d\nmaxRetentionSeconds: 30 days\n', 'r.yaml')).toThrow('config r.yaml, line 2: maxRetentionSeconds: expected seconds or a duration such as 12h, 30d, got "30 days"');
    expect(() => parseRelayConfig('authTimeoutMs: 1.5ms\n', 'r.yaml')).toThrow('config r.yaml, line 1: authTimeoutMs: expected milliseconds');
  });

  it('takes durations in the one syntax for every …Seconds and …Ms option, numbers in the key\'s unit', () => {
    const init = parseRelayConfig('dataDir: d\nmaxRetentionSeconds: 30d\nmqttSessionExpirySeconds: 12h\nauthTimeoutMs: 5s\npurgeIntervalMs: 1m\nwriteBehindMs: 0ms\nheartbeatIntervalMs: 20000\n', 'r.yaml');
    expect(resolveRelayInit(init as never)).toMatchObject({ maxRetentionSeconds: 30 * 86_400, mqttSessionExpirySeconds: 43_200, authTimeoutMs: 5000, purgeIntervalMs: 60_000, writeBehindMs: 0, heartbeatIntervalMs: 20_000 });
  });

  it('fills in the fair-share limits, shrinks the never-collected defaults to fit the mailbox ones, and refuses bigger ones', () => {
    expect(resolveRelayInit({ dataDir: 'd' })).toMatchObject({
      maxConnectionsPerAddress: 256, maxAuthenticating: 4096, maxAuthenticatingPerAddress: 64,
      depositorMaxEnvelopes: 10_000, depositorMaxBytes: 64 * 2 ** 20, depositorDepositsPerSecond: 500,
      addressMaxEnvelopes: 50_000, addressMaxBytes: 256 * 2 ** 20, addressDepositsPerSecond: 1000, highWaterPercent: 80,
      uncollectedMailboxMaxEnvelopes: 100, uncollectedMailboxMaxBytes: 4 * 2 ** 20, uncollectedRetentionSeconds: 7 * 86_400,
    });
    expect(resolveRelayInit({ dataDir: 'd', mailboxMaxEnvelopes: 10, mailboxMaxBytes: 2048, maxRetentionSeconds: 60 })).toMatchObject({ uncollectedMailboxMaxEnvelopes: 10, uncollectedMailboxMaxBytes: 2048, uncollectedRetentionSeconds: 60 });
    expect(resolveRelayInit({ dataDir: 'd', maxEnvelopeBytes: 16 * 2 ** 20 })).toMatchObject({ uncollectedMailboxMaxBytes: 16 * 2 ** 20 });
    expect(() => resolveRelayInit({ dataDir: 'd', uncollectedMailboxMaxBytes: 2 ** 30 })).toThrow('uncollectedMailboxMaxBytes (1073741824) must be at most mailboxMaxBytes (67108864)');
    expect(() => resolveRelayInit({ dataDir: 'd', uncollectedRetentionSeconds: 31 * 86_400 })).toThrow('uncollectedRetentionSeconds (2678400) must be at most maxRetentionSeconds (2592000)');
    expect(() => resolveRelayInit({ dataDir: 'd', maxAuthenticatingPerAddress: 300 })).toThrow('maxAuthenticatingPerAddress (300) must be at most maxConnectionsPerAddress (256)');
    expect(() => resolveRelayInit({ dataDir: 'd', highWaterPercent: 100 })).toThrow('highWaterPercent: expected whole percent from 1 to 99, got 100');
  });
});
