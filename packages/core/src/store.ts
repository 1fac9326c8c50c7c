import { CapacityError, OptionsError } from './errors.js';
import type { Precedence } from './precedence.js';

/**
 * Durable state of a node: the outbox, the seen-set and the inbox. Every
 * mutating method resolves only once the change is durable (fsynced); an
 * implementation batches concurrent changes into one commit (group commit).
 * `@herald/store-lmdb` is the embedded default; `memoryStore()` is for tests.
 */

/** `awaiting-prekeys`: held, unsealed, until every recipient's prekeys arrive (forward secrecy `required`). */
export type OutboundStatus = 'awaiting-prekeys' | 'queued' | 'accepted' | 'delivered' | 'expired' | 'failed';

/** Which prekey a version-2 envelope was sealed to (the weakest over its recipients), or null for version 1. */
export type PrekeyUse = 'one-time' | 'medium-term' | null;

/** A message held under forward secrecy `required` until its recipients' prekeys arrive: sealed then, and this removed. */
export interface HeldContent {
  readonly payload: Uint8Array;
  readonly contentType: string;
  /** Seconds, as asked at send. */
  readonly ttl: number;
  readonly compact: boolean;
  /** The recipients' cards as text lines (herald-card:…), sealed to as they were at send. */
  readonly cards: readonly string[];
}

/**
 * A contact's prekeys as this node received them (public, signed by the
 * contact), and the one-time ones it already sealed to: those are never used
 * again, even when a later bundle lists them.
 */
export interface ContactPrekeys {
  /** The contact's fingerprint. */
  readonly contact: string;
  /** Encoded signed prekeys (docs/protocol.md section 16). */
  readonly prekeys: readonly Uint8Array[];
  /** One-time prekey ids (hex) already used, each remembered until `until` (ms: its openUntil). */
  readonly used: ReadonlyArray<{ readonly id: string; readonly until: number }>;
}

export interface AttemptRecord {
  readonly channel: string;
  readonly at: number;
  readonly outcome: 'accepted' | 'failed' | 'skipped';
  /** Error code when the attempt failed or was skipped. */
  readonly code?: string;
}

export interface OutboxRecord {
  /** Message id, 32 hex characters. */
  readonly id: string;
  readonly envelope: Uint8Array;
  /** Routing tags (hex) of the recipients, for transports. */
  readonly routingTags: readonly string[];
  /** Fingerprints of the recipients. */
  readonly recipients: readonly string[];
  /** Fingerprints of the recipients whose end-to-end ack has arrived. */
  readonly acked: readonly string[];
  readonly precedence: Precedence;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly status: OutboundStatus;
  /** Channels that have accepted the envelope so far, in order. */
  readonly acceptedBy: readonly string[];
  /** Most recent attempts, oldest first; bounded by the node. */
  readonly attempts: readonly AttemptRecord[];
  readonly updatedAt: number;
  readonly failure?: { readonly code: string; readonly message: string };
  /** 1 or 2 once sealed; absent while awaiting prekeys. Records written before envelope v2 have no field and are version 1. */
  readonly envelopeVersion?: 1 | 2;
  /** Version 2 with X-Wing prekeys for every recipient. */
  readonly postQuantum?: boolean;
  readonly prekey?: PrekeyUse;
  /** The content waiting to be sealed (status `awaiting-prekeys`); `envelope` is empty meanwhile. */
  readonly held?: HeldContent;
  /**
   * The envelope's message id when it differs from `id`: a held message gets a
   * random id at send (its handle's) and its envelope, sealed later, its own.
   * Transports and acks use this one.
   */
  readonly envelopeId?: string;
}

export interface InboxRecord {
  /** Dedupe key: the message id scoped by its signer (`replayKey` in core), also the seen-set key. */
  readonly id: string;
  /** The sealed envelope as received; opened again after a restart. */
  readonly envelope: Uint8Array;
  readonly channel: string;
  readonly receivedAt: number;
  /** Until when the key must stay in the seen-set (`replayHorizonMs`). */
  readonly expiresAt: number;
}

export interface HeraldStore {
  /** Inserts or replaces an outbox record. */
  putOutbox(record: OutboxRecord): Promise<void>;
  getOutbox(id: string): Promise<OutboxRecord | undefined>;
  /** All outbox records, oldest first (by createdAt, then id). */
  listOutbox(): Promise<OutboxRecord[]>;
  deleteOutbox(id: string): Promise<void>;
  /**
   * Atomically: if `record.id` is not in the seen-set, records it until
   * `record.expiresAt` and adds the record to the inbox, returning true;
   * otherwise changes nothing and returns false (a duplicate).
   */
  receive(record: InboxRecord): Promise<boolean>;
  /** Records an id in the seen-set alone (for acks); false when it was already there. */
  markSeen(id: string, expiresAt: number): Promise<boolean>;
  /** Inbox records not yet acknowledged by the application, oldest first. */
  listInbox(): Promise<InboxRecord[]>;
  /** Removes an inbox record once the application has processed it; the id stays in the seen-set. */
  removeInbox(id: string): Promise<void>;
  /** Forgets seen ids that expired before `now`; returns how many were removed. */
  pruneSeen(now: number): Promise<number>;
  /** A contact's received prekeys (by fingerprint), or undefined. */
  getContactPrekeys(contact: string): Promise<ContactPrekeys | undefined>;
  /** Inserts or replaces a contact's prekeys; durable when it resolves (a one-time prekey is marked used here before it is sealed to). */
  putContactPrekeys(record: ContactPrekeys): Promise<void>;
  /**
   * Atomically (also against other processes sharing the store): reads a
   * contact's prekeys, calls `change` (synchronous), and stores what it returns
   * unless undefined. Resolves with the record as it now is. How a sender marks
   * a one-time prekey used so that no other writer takes it too.
   */
  updateContactPrekeys(contact: string, change: (current: ContactPrekeys | undefined) => ContactPrekeys | undefined): Promise<ContactPrekeys | undefined>;
  deleteContactPrekeys(contact: string): Promise<void>;
  close(): Promise<void>;
}

/** Bounds of `memoryStore` (the same as `@herald/store-lmdb`'s, with the same defaults). */
export interface MemoryStoreInit {
  /** Outbox records kept at most; a new id beyond this is refused with CAPACITY_EXCEEDED. Default 100 000. */
  readonly maxOutbox?: number;
  /** Inbox records not yet removed by the application; a new message beyond this is refused with CAPACITY_EXCEEDED. Default 100 000. */
  readonly maxInbox?: number;
  /** Seen ids (inbox ids included); a new one beyond this is refused with CAPACITY_EXCEEDED until `pruneSeen` frees room. Default 1 000 000. */
  readonly maxSeen?: number;
}

function bound(name: keyof MemoryStoreInit, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new OptionsError(`${name}: expected a positive integer, got ${String(value)}`);
  return value;
}

/**
 * In-memory store for unit tests and examples: same semantics and bounds as the durable store, no durability.
 * Replacing or removing what it holds is never refused; only new ids are, once a bound is reached.
 */
export function memoryStore(init: MemoryStoreInit = {}): HeraldStore & { readonly seenCount: number } {
  if (typeof init !== 'object' || init === null) throw new OptionsError('memoryStore: init must be an object');
  const maxOutbox = bound('maxOutbox', init.maxOutbox, 100_000);
  const maxInbox = bound('maxInbox', init.maxInbox, 100_000);
  const maxSeen = bound('maxSeen', init.maxSeen, 1_000_000);
  const outbox = new Map<string, OutboxRecord>();
  const inbox = new Map<string, InboxRecord>();
  const seen = new Map<string, number>();
  const contactPrekeys = new Map<string, ContactPrekeys>();
  let closed = false;
  const check = (): void => {
    if (closed) throw new Error('store is closed');
  };
  const byAge = <T extends { id: string }>(time: (item: T) => number) => (a: T, b: T) => time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const roomForSeen = (): void => {
    if (seen.size >= maxSeen) throw new CapacityError(`seen-set is full: ${maxSeen} ids (maxSeen)`);
  };

  return {
    get seenCount() {
      return seen.size;
    },
    async putOutbox(record) {
      check();
      if (!outbox.has(record.id) && outbox.size >= maxOutbox) throw new CapacityError(`outbox is full: ${maxOutbox} records (maxOutbox)`);
      outbox.set(record.id, record);
    },
    async getOutbox(id) {
      check();
      return outbox.get(id);
    },
    async listOutbox() {
      check();
      return [...outbox.values()].sort(byAge((record) => record.createdAt));
    },
    async deleteOutbox(id) {
      check();
      outbox.delete(id);
    },
    async receive(record) {
      check();
      if (seen.has(record.id)) return false;
      if (inbox.size >= maxInbox) throw new CapacityError(`inbox is full: ${maxInbox} records (maxInbox)`);
      roomForSeen();
      seen.set(record.id, record.expiresAt);
      inbox.set(record.id, record);
      return true;
    },
    async markSeen(id, expiresAt) {
      check();
      if (seen.has(id)) return false;
      roomForSeen();
      seen.set(id, expiresAt);
      return true;
    },
    async listInbox() {
      check();
      return [...inbox.values()].sort(byAge((record) => record.receivedAt));
    },
    async removeInbox(id) {
      check();
      inbox.delete(id);
    },
    async pruneSeen(now) {
      check();
      let removed = 0;
      for (const [id, expiresAt] of seen) {
        if (expiresAt < now && !inbox.has(id)) {
          seen.delete(id);
          removed++;
        }
      }
      return removed;
    },
    async getContactPrekeys(contact) {
      check();
      return contactPrekeys.get(contact);
    },
    async putContactPrekeys(record) {
      check();
      contactPrekeys.set(record.contact, record);
    },
    async updateContactPrekeys(contact, change) {
      check();
      const current = contactPrekeys.get(contact);
      const next = change(current);
      if (next === undefined) return current;
      contactPrekeys.set(contact, next);
      return next;
    },
    async deleteContactPrekeys(contact) {
      check();
      contactPrekeys.delete(contact);
    },
    async close() {
      closed = true;
    },
  };
}
