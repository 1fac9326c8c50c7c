import { envelopeRoute } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import type { RelayCore } from '../core.js';
import type { Payer } from '../policy/accounts.js';
import type { TokenBucket } from '../policy/rate.js';
import type { DepositOutcome } from '../store/relay-store.js';
import { StorageFailure } from '../store/storage-health.js';

type ErrorName = keyof typeof protocol.ERROR_CODES;

/** What deposits need of their connection: whether and to whom they may be charged, and how it answers. */
export interface Depositor {
  /** Past WELCOME and open. */
  readonly ready: boolean;
  /** Its identity may deposit here. */
  readonly canDeposit: boolean;
  /** The accounts its deposits are charged to (set at WELCOME when it may deposit). */
  readonly payer: Payer | undefined;
  /** Its connection number, for the log. */
  readonly number: number;
  send(frame: Uint8Array): void;
  refuse(name: ErrorName, requestId: number, text: string): void;
  refuseStorage(requestId: number, failure: StorageFailure): void;
}

/**
 * One connection's DEPOSITs (docs/relay-protocol.md): checked, stored, pushed to connected recipients while being
 * committed, and answered with ACCEPTED once durable (or a refusal with a stable code).
 */
export class SessionDeposits {
  private pendingDeposits = 0;
  /** The deposits of one group commit are answered in one ACCEPTED frame, sent as that commit settles. */
  private readonly accepted = protocol.idBatch((ids) => this.depositor.send(protocol.encodeAccepted(ids)), queueMicrotask);

  constructor(
    private readonly core: RelayCore,
    private readonly bucket: TokenBucket,
    private readonly depositor: Depositor,
  ) {}

  deposit(requestId: number, envelope: Uint8Array): void {
    const { init } = this.core;
    const { depositor } = this;
    if (!depositor.ready) return depositor.refuse('NOT_AUTHENTICATED', requestId, 'authenticate before depositing');
    if (!depositor.canDeposit) return depositor.refuse('NOT_ALLOWED', requestId, 'this identity may not deposit here');
    if (!this.core.accepting) return depositor.refuse('UNAVAILABLE', requestId, 'the relay is shutting down');
    if (!this.bucket.take(Date.now()) || this.pendingDeposits >= init.maxPendingDeposits) return depositor.refuse('RATE_LIMITED', requestId, 'too many deposits; slow down');
    if (envelope.length > init.maxEnvelopeBytes) return depositor.refuse('TOO_LARGE', requestId, `envelope of ${envelope.length} bytes exceeds ${init.maxEnvelopeBytes}`);
    let route: ReturnType<typeof envelopeRoute>;
    try {
      // One parse of the outer header: what a relay may read (tags, id, expiry), nothing more.
      route = envelopeRoute(envelope);
    } catch {
      return depositor.refuse('BAD_ENVELOPE', requestId, 'not a Herald envelope');
    }
    const { routingTags: tags, id, expiresAt: expires } = route;
    const now = Date.now();
    if (expires <= now) return depositor.refuse('EXPIRED', requestId, 'the envelope has expired');
    const keepUntil = Math.min(expires, now + init.maxRetentionSeconds * 1000);
    const size = envelope.length;
    const payer = depositor.payer;
    // The parse refused any tag listed twice: each tag is one entry.
    const refusal = payer?.refusal(tags.length, size, now);
    if (refusal) return depositor.refuse(refusal.code, requestId, refusal.text);
    this.pendingDeposits++;
    // One chain, settled only once its answer is sent: what a graceful shutdown waits for (core.deposits).
    const work: Promise<void> = this.core.store
      .deposit({ envelope, tags, id, keepUntil, payer })
      .then((result) => this.deposited(requestId, size, result))
      .catch((error: unknown) => {
        // A failed commit is logged once by the store's health (relay.ts), not once per deposit in it.
        if (error instanceof StorageFailure) return depositor.refuseStorage(requestId, error);
        this.core.log.error({ connection: depositor.number, err: { message: (error as Error).message } }, 'storing a deposit failed');
        depositor.refuse('UNAVAILABLE', requestId, 'the relay could not store the envelope');
      })
      .finally(() => {
        this.pendingDeposits--;
        this.core.deposits.delete(work);
      });
    this.core.deposits.add(work);
  }

  /** Answers a deposit the store decided on: a refusal now, or ACCEPTED once its entries are durable. */
  private async deposited(requestId: number, size: number, result: DepositOutcome): Promise<void> {
    const { init, metrics } = this.core;
    const { depositor } = this;
    if (result.outcome === 'storage-failed') return depositor.refuseStorage(requestId, result.failure);
    if (!('committed' in result)) {
      return result.outcome === 'mailbox-full' ? depositor.refuse('MAILBOX_FULL', requestId, 'the recipient’s mailbox is full') : depositor.refuse('RELAY_FULL', requestId, 'the relay’s storage is full');
    }
    const entries = result.outcome === 'stored' ? result.entries : [];
    // Cut-through: a connected recipient gets the envelope while it is being committed. Nothing is lost if the
    // commit fails: the depositor gets no ACCEPTED and sends again, and the recipient's node drops the copy it has.
    const offer = (): void => {
      for (const entry of entries) {
        let pushed = false;
        for (const subscriber of this.core.subscribers.get(entry.tag) ?? []) pushed = subscriber.offer(entry) || pushed;
        // Write-behind: an entry its connected recipient just got is written only if no ACK comes within writeBehindMs.
        // (Offered again after its commit, the write has started, and holding it does nothing.)
        if (pushed && init.writeBehindMs > 0) this.core.store.hold(entry, init.writeBehindMs);
      }
    };
    offer();
    await result.committed;
    // ACCEPTED only now, when the envelope is durable: that is the receipt the sender's node relies on.
    this.accepted.add(requestId);
    if (entries.length === 0) return;
    metrics.envelopesIn.inc();
    metrics.bytesIn.inc(size);
    // Offered again: a recipient whose window was full reads it from the store now that it is committed.
    offer();
  }
}
