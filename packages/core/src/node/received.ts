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

/**
 * The queue between the node and the application. Messages wait here in memory
 * only as long as they also sit in the durable inbox, whose size the store
 * bounds. The store's atomic seen-set check means each id is pushed at most once.
 */
export interface MessageQueue {
  push(message: ReceivedMessage): void;
  iterate(signal?: AbortSignal): AsyncIterableIterator<ReceivedMessage>;
  close(): void;
}

export function messageQueue(): MessageQueue {
  const pending: ReceivedMessage[] = [];
  const waiters = new Set<() => void>();
  let closed = false;
  const wakeAll = (): void => {
    for (const wake of [...waiters]) wake();
  };

  return {
    push(message) {
      if (closed) return;
      pending.push(message);
      wakeAll();
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
