import { describe, expect, it } from 'vitest';
import { resolveRelayInit } from '../src/index.js';

describe('relay smtp option', () => {
  it('parses HOST:PORT and refuses to combine SMTP deposits with allowDeposit', () => {
    expect(resolveRelayInit({ dataDir: '/tmp/x', smtp: '127.0.0.1:2525' }).smtp).toEqual({ host: '127.0.0.1', port: 2525 });
    expect(resolveRelayInit({ dataDir: '/tmp/x' }).smtp).toBeUndefined();
    expect(() => resolveRelayInit({ dataDir: '/tmp/x', smtp: '127.0.0.1:2525', allowDeposit: ['alice.card'] })).toThrow(/smtp cannot be combined with allowDeposit/);
    expect(() => resolveRelayInit({ dataDir: '/tmp/x', smtp: 'nowhere' })).toThrow(/smtp/);
  });
});
