import type { StoreUsage } from '../store/relay-store.js';
import { tokenBucket, type TokenBucket } from './rate.js';

/** What a depositor may hold stored at once, and how fast it may deposit. */
export interface AccountLimits {
  readonly maxEnvelopes: number;
  readonly maxBytes: number;
  readonly depositsPerSecond: number;
}

export interface AccountsInit {
  readonly identity: AccountLimits;
  readonly address: AccountLimits;
  readonly maxStoredBytes: number;
  readonly maxStoredEnvelopes: number;
  readonly highWaterPercent: number;
}

/** Why a deposit is refused, as an error frame's name and its text. */
export interface Refusal {
  readonly code: 'RATE_LIMITED' | 'DEPOSITOR_QUOTA' | 'RELAY_NEARLY_FULL';
  readonly text: string;
}

/**
 * Who pays for a deposit's entries: the depositing identity (when it authenticated) and its source address.
 * The store charges it an entry's bytes when the entry is added and releases them when the entry is gone
 * (acknowledged, expired, or never written), so each account holds what it has stored here right now.
 */
export interface Payer {
  /** Why `count` new entries of `size` bytes are refused now, if they are; takes a deposit from the rate buckets. */
  refusal(count: number, size: number, now: number): Refusal | undefined;
  /** Why a request that stores nothing (a prekey fetch) is refused now, if it is: takes a token from the same buckets. */
  rateRefusal(now: number): Refusal | undefined;
  charge(size: number): void;
  release(size: number): void;
  /** The session (or SMTP mail) that used this payer ended; the accounts stay while they hold entries. */
  leave(): void;
}

export interface DepositorAccounts {
  payer(identity: string | undefined, address: string, now?: number): Payer;
  /** Forgets accounts that hold nothing, serve no one and were idle for a while. */
  sweep(now: number): void;
  readonly size: number;
}

interface Account {
  readonly kind: 'identity' | 'address';
  readonly key: string;
  readonly limits: AccountLimits;
  readonly bucket: TokenBucket;
  envelopes: number;
  bytes: number;
  users: number;
  lastUsed: number;
}

/** Idle this long with nothing stored, an account is forgotten: its rate bucket has long refilled. */
const IDLE_MS = 60_000;

/**
 * Depositor accounts, kept in memory only (the store keeps nothing about who deposited): per identity and per
 * source address, the envelopes and bytes each has stored here, and a token bucket over all its connections. The
 * limits bound what one key or one address can take of the relay; above the high-water mark each account's
 * allowance shrinks linearly with the room left, so the heaviest depositors are refused first and the last room
 * goes to those holding little. After a restart the stored entries count against the relay's totals only.
 */
export function depositorAccounts(init: AccountsInit, counts: StoreUsage): DepositorAccounts {
  const accounts = new Map<string, Account>();
  const highWater = init.highWaterPercent / 100;

  const account = (kind: Account['kind'], key: string, now: number): Account => {
    const name = `${kind}:${key}`;
    let found = accounts.get(name);
    if (!found) {
      const limits = init[kind];
      found = { kind, key, limits, bucket: tokenBucket(limits.depositsPerSecond, 2 * limits.depositsPerSecond, now), envelopes: 0, bytes: 0, users: 0, lastUsed: now };
      accounts.set(name, found);
    }
    return found;
  };
  /** 1 below the high-water mark, then down to 0 as the store fills. */
  const allowance = (): number => {
    const fill = Math.max(counts.bytes / init.maxStoredBytes, counts.envelopes / init.maxStoredEnvelopes);
    return fill <= highWater ? 1 : Math.max(0, (1 - fill) / (1 - highWater));
  };
  const who = (held: Account): string => (held.kind === 'identity' ? 'this identity' : 'this address');
  const setting = (held: Account, what: 'Envelopes' | 'Bytes'): string => `${held.kind === 'identity' ? 'depositor' : 'address'}Max${what}`;

  return {
    payer(identity, address, now = Date.now()) {
      const held = [...(identity === undefined ? [] : [account('identity', identity, now)]), account('address', address, now)];
      for (const one of held) one.users++;
      let left = false;
      const rateRefusal = (at: number): Refusal | undefined => {
        for (const one of held) {
          one.lastUsed = at;
          if (!one.bucket.take(at)) return { code: 'RATE_LIMITED', text: `${who(one)} deposits faster than ${one.limits.depositsPerSecond} a second` };
        }
        return undefined;
      };
      return {
        rateRefusal,
        refusal(count, size, at) {
          const limited = rateRefusal(at);
          if (limited) return limited;
          for (const one of held) {
            if (one.envelopes + count > one.limits.maxEnvelopes) return { code: 'DEPOSITOR_QUOTA', text: `${who(one)} has ${one.envelopes} envelopes stored here (${setting(one, 'Envelopes')})` };
            if (one.bytes + count * size > one.limits.maxBytes) return { code: 'DEPOSITOR_QUOTA', text: `${who(one)} has ${one.bytes} bytes stored here (${setting(one, 'Bytes')})` };
          }
          const share = allowance();
          if (share >= 1) return undefined;
          for (const one of held) {
            if (one.envelopes + count > share * one.limits.maxEnvelopes || one.bytes + count * size > share * one.limits.maxBytes) {
              return { code: 'RELAY_NEARLY_FULL', text: `the relay is nearly full and ${who(one)} holds more than its share now (${Math.floor(share * 100)} % of its quota)` };
            }
          }
          return undefined;
        },
        charge(size) {
          for (const one of held) {
            one.envelopes++;
            one.bytes += size;
          }
        },
        release(size) {
          for (const one of held) {
            one.envelopes--;
            one.bytes -= size;
          }
        },
        leave() {
          if (left) return;
          left = true;
          for (const one of held) one.users--;
        },
      };
    },
    sweep(now) {
      for (const [name, one] of accounts) if (one.users <= 0 && one.envelopes <= 0 && now - one.lastUsed >= IDLE_MS) accounts.delete(name);
    },
    get size() {
      return accounts.size;
    },
  };
}
