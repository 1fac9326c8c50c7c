import { CapacityError } from '../errors.js';
import type { Card } from '../card.js';
import type { Precedence } from '../precedence.js';
import type { PrekeyUse } from '../store.js';
import type { SenderTrust } from './trust.js';

/** A message handed to the application: opened, verified, deduplicated. Call `ack()` once it is processed. */
export interface ReceivedMessage {
  readonly id: string;
  readonly sender: { readonly fingerprint: string; readonly label?: string; readonly card?: Card };
  readonly precedence: Precedence;
  readonly contentType: string;
  readonly plaintext: Uint8Array;
  /** 2: forward secret (sealed to one of this node's prekeys); 1: sealed to the identity key alone. */
  readonly envelopeVersion: 1 | 2;
  /** Version 2 sealed to an X-Wing (post-quantum hybrid) prekey. */
  readonly postQuantum: boolean;
  /** The kind of prekey it was sealed to, or null for version 1. */
  readonly prekey: PrekeyUse;
  /** The plaintext decoded as UTF-8 (replacement characters for invalid bytes). */
  readonly text: string;
  /** Channel that delivered the first copy. */
  readonly channel: string;
  readonly created: Date;
  readonly expires: Date;
  readonly receivedAt: Date;
  /** The sender's organisation certificate, when the node's trust policy verified one. */
  readonly trust?: SenderTrust;
  /** Removes the message from the durable inbox; it is never handed out again. Idempotent. */
  ack(): Promise<void>;
}

/** Default `maxReceivedMessages`: messages received and not yet acked by the application. */
export const DEFAULT_MAX_RECEIVED_MESSAGES = 1000;

/**
 * The queue between the node and the application, bounded by `limit` messages
 * the application has not yet acked (waiting here, or handed out and not yet
 * acked). A message takes a place (`reserve`) before it is stored; with no
 * place left the reservation fails with CAPACITY_EXCEEDED, the node refuses the
 * delivery, and the channel keeps the envelope and offers it again later (the
 * sender, unacked, sends it again too): nothing is lost, and memory and the
 * durable inbox stay bounded. A copy of a message that waits here already needs
 * no place (it is acked again at once). Messages already in the inbox at start
 * are all queued, whatever the limit; new ones wait until the application drains.
 */
export interface MessageQueue {
  /**
   * A place for the message of replay key `key`; undefined when a copy of it is queued and unacked already; a
   * CapacityError (CAPACITY_EXCEEDED, retryable) when `limit` messages are unacked. `force` takes a place whatever
   * the count: for the messages already in the durable inbox at start.
   */
  reserve(key: string, force?: boolean): Place | undefined;
  iterate(signal?: AbortSignal): AsyncIterableIterator<ReceivedMessage>;
  /** Messages unacked by the application, places reserved included. */
  readonly size: number;
  close(): void;
}

export interface Place {
  /** Queues the message in this place. Its `ack()` must call `release()` once the message has left the inbox. */
  fill(message: ReceivedMessage): void;
  /** Frees the place: the message was acked, or it was not stored after all (a duplicate, a failed write). Idempotent. */
  release(): void;
}

export function messageQueue(limit: number): MessageQueue {
  const pending: ReceivedMessage[] = [];
  const waiters = new Set<() => void>();
  // Replay keys of the messages queued or handed out and not yet acked.
  const unacked = new Set<string>();
  let taken = 0;
  let closed = false;
  const wakeAll = (): void => {
    for (const wake of [...waiters]) wake();
  };
  function place(key: string): Place {
    taken++;
    let held = true;
    let filled = false;
    const release = (): void => {
      if (!held) return;
      held = false;
      taken--;
      if (filled) unacked.delete(key);
    };
    return {
      fill(message) {
        if (!held || closed) return release();
        filled = true;
        unacked.add(key);
        pending.push(message);
        wakeAll();
      },
      release,
    };
  }

  return {
    reserve(key, force = false) {
      if (unacked.has(key)) return undefined;
      if (!force && taken >= limit) throw new CapacityError(`${taken} received messages are not yet acked by the application (maxReceivedMessages ${limit}); the channel offers this one again later`);
      return place(key);
    },
    get size() {
      return taken;
    },
    close() {
      closed = true;
      wakeAll();
    },
    async *iterate(signal) {
      const onAbort = (): void => wakeAll();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        while (!closed && !signal?.aborted) {
          const next = pending.shift();
          if (next) {
            yield next;
            continue;
          }
          await new Promise<void>((resolve) => {
            const wake = (): void => {
              waiters.delete(wake);
              resolve();
            };
            waiters.add(wake);
          });
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}
