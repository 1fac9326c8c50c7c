import { describe, expect, it } from 'vitest';
import { resolveRelayInit } from '../src/index.js';
import { urlPolicy } from '../src/ws/urls.js';

/** Threat model 10.1: which URLs a client may have signed for this relay (a rogue relay cannot pass an answer on). */
describe('the URLs a relay accepts in an authentication', () => {
  it('listening on loopback: only its own loopback URLs, not another host or port', () => {
    const policy = urlPolicy(resolveRelayInit({ dataDir: 'd', listen: '127.0.0.1:7700' }), 7700);
    expect(policy.open).toBe(false);
    for (const url of ['ws://127.0.0.1:7700/', 'ws://localhost:7700/', 'ws://[::1]:7700/']) expect(policy.allowed(url), url).toBe(true);
    for (const url of ['ws://rogue.example:7700/', 'ws://127.0.0.1:7701/', 'wss://127.0.0.1:7700/']) expect(policy.allowed(url), url).toBe(false);
  });

  it('with publicUrls: those only, whatever it listens on', () => {
    const policy = urlPolicy(resolveRelayInit({ dataDir: 'd', listen: '0.0.0.0:7700', publicUrls: ['wss://relay.example/herald'] }), 7700);
    expect(policy.open).toBe(false);
    expect(policy.allowed('wss://relay.example/herald')).toBe(true);
    expect(policy.allowed('ws://127.0.0.1:7700/')).toBe(false);
  });

  it('on a wildcard address without publicUrls: any URL, and the policy says it is open (the relay logs a warning at start)', () => {
    for (const listen of ['0.0.0.0:7700', '[::]:7700']) {
      const policy = urlPolicy(resolveRelayInit({ dataDir: 'd', listen }), 7700);
      expect(policy.open).toBe(true);
      expect(policy.allowed('ws://rogue.example:1/')).toBe(true);
    }
  });
});
