import type { Logger } from 'pino';
import type { DepositorAccounts } from './policy/accounts.js';
import type { Admission } from './policy/admission.js';
import type { ResolvedRelayInit } from './init.js';
import type { MailEntry, RelayStore } from './store/relay-store.js';
import type { RelayMetrics } from './metrics.js';

/** What every connection shares: settings, the store, metrics, the log, and who listens on which mailbox. */
export interface RelayCore {
  readonly init: ResolvedRelayInit;
  readonly store: RelayStore;
  readonly metrics: RelayMetrics;
  readonly log: Logger;
  /** What each depositing identity and source address holds here, and its rate (in memory only). */
  readonly accounts: DepositorAccounts;
  urlAllowed(url: string): boolean;
  /** Signing keys (hex) allowed to deposit; undefined = any authenticated identity. */
  readonly depositors: ReadonlySet<string> | undefined;
  /** X25519 keys (hex) whose mailboxes may be collected; undefined = any proven mailbox. */
  readonly collectors: ReadonlySet<string> | undefined;
  /** Collecting connections by routing tag. */
  readonly subscribers: Map<string, Set<{ offer(entry: MailEntry): boolean }>>;
  /** Entries acknowledged whose removal is not yet committed: never pushed again meanwhile. */
  readonly removing: Set<string>;
  /** Deposits being stored, so a graceful shutdown can wait for them. */
  readonly deposits: Set<Promise<unknown>>;
  /** Admission by organisation certificate, when admitAuthorities is set. */
  readonly admission: Admission | undefined;
  /** False once shutdown began: new deposits are refused with UNAVAILABLE. */
  accepting: boolean;
}
