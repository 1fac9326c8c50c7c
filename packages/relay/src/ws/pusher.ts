import { relayProtocol as protocol } from '@herald/protocol';
import type { RelayCore } from '../core.js';
import type { MailEntry } from '../store/relay-store.js';

interface InFlight {
  readonly tag: string;
  readonly seq: number;
  readonly key: string;
  readonly depositedAt: number | undefined;
}

/** What the pusher needs of its connection. */
export interface PushTarget {
  readonly ready: boolean;
  readonly tags: readonly string[];
  readonly buffered: number;
  send(frame: Uint8Array): void;
}

/**
 * The outbound half of a collecting connection: pushes stored mail oldest first,
 * at most `pushWindow` unacknowledged, pausing while the send buffer is above
 * `pauseBufferedBytes`. A new deposit goes straight out when this connection has
 * already been pushed everything older ("caught up"); otherwise the pump reads
 * the mailbox in order.
 */
export class Pusher {
  private readonly inflight = new Map<number, InFlight>();
  private readonly inflightKeys = new Set<string>();
  private readonly caughtUp = new Set<string>();
  private nextDelivery = 1;
  private scheduled = false;
  private pumping = false;
  private pumpAgain = false;

  constructor(private readonly core: RelayCore, private readonly target: PushTarget) {}

  /** A new entry, being committed or just committed. Says whether it went out now (it is then in flight here). */
  offer(entry: MailEntry): boolean {
    // Offered again after its commit, but already acknowledged (and so never written): nothing left to push.
    if (!this.target.ready || entry.elided) return false;
    if (this.caughtUp.has(entry.tag) && this.hasRoom()) {
      if (this.inflightKeys.has(entry.key) || this.core.removing.has(entry.key)) return false;
      this.push(entry);
      return true;
    }
    this.caughtUp.delete(entry.tag);
    this.wake();
    return false;
  }

  /** The client stored delivery `deliveryId`: the entry is removed durably, and the window has room again. */
  acked(deliveryId: number): void {
    const entry = this.inflight.get(deliveryId);
    // An unknown id is a stray, or a late ack of an entry purged meanwhile: nothing to do.
    if (!entry) return;
    this.inflight.delete(deliveryId);
    this.inflightKeys.delete(entry.key);
    const { removing, store, metrics, log } = this.core;
    removing.add(entry.key);
    // Settled either way in one reaction (no finally: a promise fewer per envelope).
    store.ack(entry.tag, entry.seq).then(
      (neverStored) => {
        removing.delete(entry.key);
        metrics.envelopesAcked.inc();
        if (entry.depositedAt !== undefined) metrics.depositToAck.observe((Date.now() - entry.depositedAt) / 1000);
        if (neverStored) metrics.envelopesUnstored.inc();
      },
      (error: unknown) => {
        removing.delete(entry.key);
        log.error({ err: { message: (error as Error).message } }, 'removing an acknowledged envelope failed');
      },
    );
    // A mailbox already caught up gets its new mail straight from offer(); reading the store again would only
    // walk past the entries still in flight.
    if (this.target.tags.some((tag) => !this.caughtUp.has(tag))) this.wake();
  }

  /** Reads and pushes what fits, on the next turn, so a burst of acks or deposits costs one pass. */
  wake(): void {
    if (this.scheduled || !this.target.ready) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** The connection ended: unacknowledged entries stay stored, for the next connection. */
  clear(): void {
    this.inflight.clear();
    this.inflightKeys.clear();
    this.caughtUp.clear();
  }

  private hasRoom(): boolean {
    return this.inflight.size < this.core.init.pushWindow && this.target.buffered < this.core.init.pauseBufferedBytes;
  }

  private push(entry: MailEntry): void {
    const deliveryId = this.nextDelivery;
    this.nextDelivery = this.nextDelivery >= 0xffffffff ? 1 : this.nextDelivery + 1;
    this.inflight.set(deliveryId, { tag: entry.tag, seq: entry.seq, key: entry.key, depositedAt: entry.depositedAt });
    this.inflightKeys.add(entry.key);
    this.core.metrics.envelopesOut.inc();
    if (entry.depositedAt !== undefined) this.core.metrics.depositToPush.observe((Date.now() - entry.depositedAt) / 1000);
    this.core.metrics.bytesOut.inc(entry.bytes.length);
    this.target.send(protocol.encodePush(deliveryId, entry.bytes));
  }

  /** One pass at a time (the store reads asynchronously); a wake during a pass runs another after it. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.fill()
      .catch((error: unknown) => this.core.log.error({ err: { message: (error as Error).message } }, 'reading a mailbox failed'))
      .finally(() => {
        this.pumping = false;
        if (!this.pumpAgain) return;
        this.pumpAgain = false;
        this.wake();
      });
  }

  private async fill(): Promise<void> {
    const skip = (key: string): boolean => this.inflightKeys.has(key) || this.core.removing.has(key);
    for (const tag of this.target.tags) {
      for (;;) {
        if (!this.target.ready) return;
        if (!this.hasRoom()) {
          this.caughtUp.delete(tag);
          break;
        }
        const wanted = Math.min(16, this.core.init.pushWindow - this.inflight.size);
        const entries = await this.core.store.list(tag, wanted, skip);
        if (!this.target.ready) return;
        // Asked again: while the store read, a new entry may have gone out by offer(), or been acknowledged.
        for (const entry of entries) if (!skip(entry.key)) this.push(entry);
        if (entries.length < wanted) {
          this.caughtUp.add(tag);
          break;
        }
      }
    }
  }
}
