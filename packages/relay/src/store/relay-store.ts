import type { BrokerRecords } from './broker-records.js';
import type { DirectoryRecord } from './prekey-directory.js';
import type { StorageFailure, StorageHealth } from './storage-health.js';

/**
 * Everything the relay persists about mailboxes, behind one interface: the relay's id, the mailboxes' entries
 * (deposit, list, acknowledge, expire), the quota counters those entries fill, which mailboxes were ever
 * collected, the prekey directory (prekey-directory.ts), and the embedded MQTT broker's sessions ({@link BrokerRecords}). Depositor accounts and rate buckets
 * are not persisted (policy/accounts.ts). `lmdbRelayStore` (one LMDB environment on local disk) and
 * `natsRelayStore` (streams and key-value buckets of a NATS JetStream cluster, shared by several relays) implement it.
 * Both pass the same suite (packages/relay/test/helpers/store-suite.ts).
 *
 * Rules every implementation keeps:
 * - Durable on resolve: a promise that says something was stored (`committed`, `ack`, `expire`, `markCollected`)
 *   resolves only once it survives a crash of this process (fsynced, or acknowledged by a replicated store). The
 *   relay sends ACCEPTED to a depositor only then: nothing it accepted is lost.
 * - What must be atomic is one method: a deposit checks for a repeated deposit, checks and reserves the quotas and
 *   stores the entries of every mailbox as one step; no transaction is held open across calls.
 * - A failure to write is reported as a {@link StorageFailure} (rejected `committed`, or a `storage-failed` outcome),
 *   never thrown past the store; the relay's {@link StorageHealth} then refuses deposits for a while.
 * - Entries are named by mailbox (`tag`, the routing tag in hex) and a `seq` the store gives out: unique among the
 *   entries it holds, and increasing in deposit order within a mailbox (a removed entry's seq may be given out again
 *   after a restart: nothing outside one process's run keeps it).
 */
export interface RelayStore {
  /** 16 random bytes made at the store's first opening and kept: the relay's name in CHALLENGE frames. */
  readonly relayId: Uint8Array;
  /** What the mailboxes hold now, counted by this store (deposits reserve, acks and expiry release). */
  readonly usage: StoreUsage;
  /**
   * Stores one envelope in every mailbox `tags` names (a tag named twice counts once), in all of them or in none.
   * Resolves as soon as the outcome is decided, which may be before the entries are durable:
   * - `stored`: new entries for the mailboxes that did not hold these bytes yet; `committed` resolves once they are
   *   durable (or acknowledged first, see {@link hold}), or rejects (a {@link StorageFailure}), and then the entries
   *   and their reservation are gone again. Entries may be handed to a connected recipient before (cut-through).
   * - `duplicate`: every mailbox already holds (or is storing) the same bytes under this message id; nothing new
   *   is stored, and `committed` settles with the earlier copy's write. Bytes differing from the held copy under the
   *   same id are stored as a new entry (another recipient may reuse an id); at most a few copies are compared.
   * - `mailbox-full` / `relay-full`: the entries would pass a mailbox's quota or the store's; nothing is stored.
   *   A mailbox never collected is held to the uncollected… limits when they are set.
   * - `storage-failed`: the store refuses writes now (a recent failed commit, or too little free space).
   * The caller does not modify `envelope` afterwards. `payer` is charged each new entry's size and released it when
   * the entry is gone (acknowledged, expired, or its write failed).
   */
  deposit(request: DepositRequest): Promise<DepositOutcome>;
  /**
   * Holds back the write of a new entry just pushed to its connected recipient for `ms`: if the recipient
   * acknowledges it in that time, it is never written, and its deposit's `committed` resolves with the ack.
   * An optimisation only: a store may always return false (write at once). Says whether it held the write.
   */
  hold(entry: MailEntry, ms: number): boolean;
  /**
   * Up to `limit` entries of one mailbox, oldest first, leaving out those whose key `skip` names. Durable entries
   * only (committed, not removed); an entry of a deposit still being committed may or may not be listed.
   */
  list(tag: string, limit: number, skip: (key: string) => boolean): Promise<MailEntry[]>;
  /**
   * The entry's recipient stored it: removes it durably. An entry already gone (acknowledged, expired) is no error.
   * Resolves true when the entry was never written at all (taken out of its pending write), false otherwise.
   */
  ack(tag: string, seq: number): Promise<boolean>;
  /** Durably removes up to `limit` entries kept until before `now`; resolves how many it removed. */
  expire(now: number, limit: number): Promise<number>;
  /**
   * A client proved it owns these mailboxes: from this call on, deposits to them get the full quota and retention
   * instead of the uncollected… ones. Resolves when that is durable (it survives a restart).
   */
  markCollected(tags: readonly string[]): Promise<void>;
  /**
   * The embedded MQTT broker's records (sessions, queued copies), kept by this store beside the mailboxes. Opened
   * once, when the relay runs the broker; the broker closes them before the store closes.
   */
  openBrokerRecords(): Promise<BrokerRecords>;
  /**
   * The prekey directory (docs/relay-protocol.md 4.3): keeps an upload of prekeys the relay already verified for
   * mailbox `tag` (merged and bounded as `mergeUpload` in prekey-directory.ts says), durably when it resolves, and
   * resolves how many one-time prekeys the mailbox now holds, or `full` (nothing stored) when the directory would
   * pass `directoryMaxBytes`. A failed write rejects with a {@link StorageFailure}; a store without a directory
   * with {@link DirectoryUnsupportedError}.
   */
  putPrekeys(tag: string, upload: DirectoryRecord, now: number): Promise<number | 'full'>;
  /**
   * Hands out the mailbox's medium-term prekeys and at most one one-time prekey, removing that one as one atomic
   * step (as `takeOne` says): two fetches, from this relay or another sharing the store, never get the same one.
   * Resolves undefined when nothing usable is held. Rejects as putPrekeys without a directory.
   */
  takePrekeys(tag: string, now: number): Promise<DirectoryRecord | undefined>;
  /** Waits for writes under way and releases the store. Nothing may be called afterwards. */
  close(): Promise<void>;
}

/** One stored envelope in one mailbox. `key` names it across connections (`tag:seq`). */
export interface MailEntry {
  readonly tag: string;
  readonly seq: number;
  readonly key: string;
  readonly bytes: Uint8Array;
  /** When it was deposited (ms), while this process knows it: the latency histograms' start. */
  readonly depositedAt?: number | undefined;
  /** Set when its recipient acknowledged it before it was written: it never reaches the store. */
  elided?: boolean;
}

/** Who pays for a deposit's entries while they are held (the relay's depositor accounts, policy/accounts.ts). */
export interface EntryCharge {
  charge(size: number): void;
  release(size: number): void;
}

export interface DepositRequest {
  readonly envelope: Uint8Array;
  /** Routing tags (hex) of the mailboxes it goes to, from its outer header. */
  readonly tags: readonly string[];
  /** Its message id (hex), from its outer header: what a repeated deposit is found by. */
  readonly id: string;
  /** Kept until then (ms since the epoch) at most; a mailbox never collected may keep it shorter. */
  readonly keepUntil: number;
  readonly payer?: EntryCharge | undefined;
}

/** What a deposit became. See {@link RelayStore.deposit}. */
export type DepositOutcome =
  | { readonly outcome: 'stored'; /** The new entries, one per mailbox that did not already hold these bytes. */ readonly entries: readonly MailEntry[]; readonly committed: Promise<void> }
  | { readonly outcome: 'duplicate'; /** Settles when the earlier copy of the same bytes is durable. */ readonly committed: Promise<void> }
  | { readonly outcome: 'mailbox-full' | 'relay-full' }
  | { readonly outcome: 'storage-failed'; /** Why deposits are refused for now. */ readonly failure: StorageFailure };

/** Envelopes and bytes stored, and mailboxes holding any: what /metrics shows and the accounts' high-water mark reads. */
export interface StoreUsage {
  readonly envelopes: number;
  readonly bytes: number;
  readonly mailboxes: number;
}

/** The quotas a store keeps (the relay's options of the same names, init.ts). */
export interface MailboxLimits {
  readonly mailboxMaxEnvelopes: number;
  readonly mailboxMaxBytes: number;
  readonly maxStoredBytes: number;
  readonly maxStoredEnvelopes: number;
  /** Deposits are refused (`storage-failed`, full) while the store's file system has less free; 0 or absent: no such check. */
  readonly minFreeBytes?: number;
  /** Smaller quota and retention for mailboxes never collected; unset, they get the same as any other. */
  readonly uncollectedMailboxMaxEnvelopes?: number;
  readonly uncollectedMailboxMaxBytes?: number;
  readonly uncollectedRetentionSeconds?: number;
  /** Bytes of prekeys the prekey directory holds in all; default DIRECTORY_MAX_BYTES (64 MiB). */
  readonly directoryMaxBytes?: number;
}

/** What every implementation is opened with, besides where its data lives. */
export interface RelayStoreInit {
  readonly limits: MailboxLimits;
  /** Told of failed and successful commits, and asked before each deposit. Default: a 5 s retry, reporting to no one. */
  readonly health?: StorageHealth;
}
