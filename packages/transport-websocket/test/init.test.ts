import { describe, expect, it } from 'vitest';
import { generateIdentity } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import { webSocketTransport } from '../src/index.js';
import { backoff } from '../src/backoff.js';

describe('webSocketTransport', () => {
  it('draws reconnection delays between the minimum and the growing ceiling', () => {
    const delays = backoff(100, 1000);
    const drawn = Array.from({ length: 50 }, () => delays.next());
    expect(drawn.every((value) => value >= 100 && value <= 1000)).toBe(true);
    expect(new Set(drawn).size).toBeGreaterThan(10);
  });

  it('validates its init with precise messages', () => {
    const identity = generateIdentity();
    expect(() => webSocketTransport({ url: 'http://x', identity })).toThrow('webSocketTransport: url: expected ws:// or wss://, got http:');
    expect(() => webSocketTransport({ url: 'ws://u:p@x', identity })).toThrow('must not carry a user or password');
    expect(() => webSocketTransport({ url: 'ws://x', identity: {} as never })).toThrow('webSocketTransport: identity: expected an Identity');
    expect(() => webSocketTransport({ url: 'ws://x', identity, heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 4000 })).toThrow('heartbeatTimeoutMs: expected whole milliseconds from 5001 to 300000, got 4000');
    expect(() => webSocketTransport({ url: 'ws://x', identity, colect: true } as never)).toThrow('unknown option "colect"');
    expect(() => webSocketTransport({ url: 'ws://x', identity, localAddress: 'eth0' })).toThrow('webSocketTransport: localAddress: expected an IPv4 or IPv6 address, got "eth0"');
    expect(() => webSocketTransport({ url: 'ws://x', identity, localAddress: '127.0.0.2' })).not.toThrow();
    expect(() => webSocketTransport({ url: 'ws://x', identity, certificate: new Uint8Array(protocol.MAX_CERTIFICATE_CHAIN_BYTES + 1) })).toThrow(`certificate: expected the encoded certificate chain (1 to ${protocol.MAX_CERTIFICATE_CHAIN_BYTES} bytes)`);
    expect(webSocketTransport({ url: 'wss://relay.example/herald', identity }).name).toBe('wss://relay.example/herald');
  });
});
