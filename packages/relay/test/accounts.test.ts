import { describe, expect, it } from 'vitest';
import { depositorAccounts, type AccountsInit } from '../src/policy/accounts.js';
import type { MailboxCounts } from '../src/store/counts.js';
import { sourceAddress } from '../src/policy/source-address.js';

const INIT: AccountsInit = {
  identity: { maxEnvelopes: 10, maxBytes: 10_000, depositsPerSecond: 1000 },
  address: { maxEnvelopes: 15, maxBytes: 100_000, depositsPerSecond: 1000 },
  maxStoredBytes: 1_000_000,
  maxStoredEnvelopes: 1000,
  highWaterPercent: 80,
};

/** The store's totals, set by hand: what decides whether the relay is nearly full. */
function totals(): MailboxCounts & { set(envelopes: number, bytes: number): void } {
  let envelopes = 0;
  let bytes = 0;
  return {
    reserve: () => 'ok',
    add: () => undefined,
    release: () => undefined,
    get envelopes() {
      return envelopes;
    },
    get bytes() {
      return bytes;
    },
    mailboxes: 0,
    set(toEnvelopes, toBytes) {
      envelopes = toEnvelopes;
      bytes = toBytes;
    },
  };
}

describe('depositor accounts', () => {
  it('holds one identity to its quota of stored envelopes, across its connections, until entries are released', () => {
    const accounts = depositorAccounts(INIT, totals());
    const one = accounts.payer('key-a', '192.0.2.1', 0);
    const two = accounts.payer('key-a', '192.0.2.2', 0);
    for (let index = 0; index < 5; index++) {
      expect(one.refusal(1, 100, 0)).toBeUndefined();
      one.charge(100);
      expect(two.refusal(1, 100, 0)).toBeUndefined();
      two.charge(100);
    }
    expect(one.refusal(1, 100, 0)).toEqual({ code: 'DEPOSITOR_QUOTA', text: expect.stringMatching(/identity .*depositorMaxEnvelopes/) });
    expect(accounts.payer('key-b', '192.0.2.1', 0).refusal(1, 100, 0)).toBeUndefined();
    one.release(100);
    expect(two.refusal(1, 100, 0)).toBeUndefined();
  });

  it('holds one address to its quota over every identity behind it, bytes as well as envelopes', () => {
    const accounts = depositorAccounts(INIT, totals());
    for (let index = 0; index < 15; index++) {
      const payer = accounts.payer(`key-${index}`, '192.0.2.1', 0);
      expect(payer.refusal(1, 10, 0)).toBeUndefined();
      payer.charge(10);
    }
    expect(accounts.payer('key-new', '192.0.2.1', 0).refusal(1, 10, 0)).toEqual({ code: 'DEPOSITOR_QUOTA', text: expect.stringMatching(/address .*addressMaxEnvelopes/) });
    expect(accounts.payer('key-new', '192.0.2.9', 0).refusal(1, 10, 0)).toBeUndefined();
    expect(accounts.payer('key-big', '192.0.2.9', 0).refusal(1, 10_001, 0)).toEqual({ code: 'DEPOSITOR_QUOTA', text: expect.stringMatching(/depositorMaxBytes/) });
  });

  it('rate-limits an identity over all its connections, and an address over all its identities', () => {
    const accounts = depositorAccounts({ ...INIT, identity: { ...INIT.identity, depositsPerSecond: 5 }, address: { ...INIT.address, depositsPerSecond: 7 } }, totals());
    const first = accounts.payer('key-a', '192.0.2.1', 0);
    const second = accounts.payer('key-a', '192.0.2.1', 0);
    // Burst: twice the rate.
    for (let index = 0; index < 10; index++) expect((index % 2 === 0 ? first : second).refusal(1, 1, 0)).toBeUndefined();
    expect(first.refusal(1, 1, 0)).toEqual({ code: 'RATE_LIMITED', text: expect.stringMatching(/identity/) });
    const other = accounts.payer('key-b', '192.0.2.1', 0);
    // The address's burst is 14: key-a took 10 of it.
    for (let index = 0; index < 4; index++) expect(other.refusal(1, 1, 0)).toBeUndefined();
    expect(other.refusal(1, 1, 0)).toEqual({ code: 'RATE_LIMITED', text: expect.stringMatching(/address/) });
    // A second later the buckets have refilled.
    expect(first.refusal(1, 1, 1000)).toBeUndefined();
  });

  it('above the high-water mark refuses the heaviest depositors first, and still takes those holding little', () => {
    const counts = totals();
    const accounts = depositorAccounts(INIT, counts);
    const heavy = accounts.payer('heavy', '192.0.2.1', 0);
    for (let index = 0; index < 6; index++) heavy.charge(100);
    const light = accounts.payer('light', '192.0.2.2', 0);
    light.charge(100);
    counts.set(500, 800_000);
    // At the mark: every quota whole.
    expect(heavy.refusal(1, 100, 0)).toBeUndefined();
    // 90 % full (bytes): half of each quota, 5 envelopes for an identity. The heavy one holds 6.
    counts.set(500, 900_000);
    expect(heavy.refusal(1, 100, 0)).toEqual({ code: 'RELAY_NEARLY_FULL', text: expect.stringMatching(/identity .*50 %/) });
    expect(light.refusal(1, 100, 0)).toBeUndefined();
    // 90 % full by envelope count works the same way.
    counts.set(900, 0);
    expect(heavy.refusal(1, 100, 0)?.code).toBe('RELAY_NEARLY_FULL');
    // 98 %: a tenth of the quota, one envelope: the light one (holding one) is refused too; a newcomer is not.
    counts.set(980, 0);
    expect(light.refusal(1, 100, 0)?.code).toBe('RELAY_NEARLY_FULL');
    expect(accounts.payer('new', '192.0.2.3', 0).refusal(1, 100, 0)).toBeUndefined();
  });

  it('forgets accounts that hold nothing and serve no one after a minute idle, and keeps the others', () => {
    const accounts = depositorAccounts(INIT, totals());
    const gone = accounts.payer('gone', '192.0.2.1', 0);
    gone.refusal(1, 1, 0);
    gone.leave();
    const holding = accounts.payer('holding', '192.0.2.2', 0);
    holding.refusal(1, 1, 0);
    holding.charge(1);
    holding.leave();
    expect(accounts.size).toBe(4);
    accounts.sweep(30_000);
    expect(accounts.size).toBe(4);
    accounts.sweep(60_000);
    expect(accounts.size).toBe(2);
    holding.release(1);
    accounts.sweep(120_000);
    expect(accounts.size).toBe(0);
  });
});

describe('source address', () => {
  it('counts IPv4 as it is, IPv4-mapped IPv6 as IPv4, and other IPv6 by its /64', () => {
    expect(sourceAddress('127.0.0.2')).toBe('127.0.0.2');
    expect(sourceAddress('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(sourceAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceAddress('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(sourceAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceAddress('::1')).toBe('0:0:0:0::/64');
    expect(sourceAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceAddress(undefined)).toBe('unknown');
  });
});
