import type { NodeClock } from './clock.js';
import { platform } from '#platform';
import type { Card } from '../card.js';
import type { OpenedMessage } from '../envelope/open.js';
import { envelopeExpiry, envelopeId, envelopeRoutingTags } from '../envelope/inspect.js';
import { seal } from '../envelope/seal.js';
import type { Identity } from '../identity.js';
import type { Precedence } from '../precedence.js';
import type { PrekeyKind } from '../prekey/types.js';
import { backoff, delay } from '../transport-kit/backoff.js';
import type { Route } from '../transport.js';
import { ACK_CONTENT_TYPE, encodeAck, MAX_IDS_PER_ACK } from './ack.js';
import type { Channel } from './channel.js';
import type { NodeEvents } from './events.js';
import type { NodePrekeys } from './forward-secrecy.js';
import { isForbidden, type ResolvedPolicy } from './policy.js';
import { TERMINAL, type OutboxRecords } from './records.js';
import type { StatusBoard } from './status.js';
import type { NodeTrust } from './trust.js';

/** End-to-end acks both ways: those this node owes (batched per sender, sent once per pass of the event loop) and those it receives. */
export interface AckHandling {
  /** Owes `sender` an ack of `id`, signed by `as`, the identity that opened the message (a retired one during a rotation). */
  queue(sender: Card, id: string, opened: OpenedMessage, as: Identity): void;
  /** Applies an ack of these envelope ids from `from` (a fingerprint): the record is delivered once every recipient acked. */
  apply(ids: readonly string[], from: string): Promise<void>;
}

export interface AckDeps {
  /** The corrected time acks are sealed with. */
  readonly clock: NodeClock;
  readonly identity: Identity;
  readonly policy: ResolvedPolicy;
  readonly channels: readonly Channel[];
  readonly prekeys: NodePrekeys;
  /** The prekey kind this node offers on its acks. */
  readonly offerKind: PrekeyKind;
  readonly records: OutboxRecords;
  readonly status: StatusBoard;
  readonly events: NodeEvents;
  readonly trust?: NodeTrust;
  /** Envelope id → outbox id, for messages held for prekeys and sealed later (their ids differ). */
  readonly outboxIdOf: ReadonlyMap<string, string>;
  readonly signal: AbortSignal;
}

/**
 * Acks that no channel took, waiting to be offered again (with backoff, until they expire or the node stops). Past
 * this many, one more is dropped: its sender's resend at the ack deadline brings the message back, and it is acked then.
 */
export const MAX_ACKS_AWAITING_RETRY = 1024;

interface Batch {
  readonly card: Card;
  readonly as: Identity;
  readonly ids: Set<string>;
  readonly precedence: Precedence;
  expiresAt: number;
}

export function ackHandling(deps: AckDeps): AckHandling {
  const owed = new Map<string, Batch>();
  let flushScheduled = false;
  let awaitingRetry = 0;

  /** Seals the ack once, then offers it to the channels in order; one that no channel takes is offered again later. */
  async function sendAck(batch: Batch, ids: readonly string[]): Promise<void> {
    const { card, precedence } = batch;
    const now = deps.clock.now();
    const ttl = Math.max(60, Math.ceil((batch.expiresAt - now) / 1000));
    // Prekeys are this identity's: a retired one's acks carry none. Nor does one whose prekeys could not be made (the
    // prekey store refused the write, a full disk): the ack matters more, and without it the sender never hears back.
    const plain = { body: encodeAck(ids), contentType: ACK_CONTENT_TYPE };
    const body = batch.as === deps.identity ? await deps.prekeys.ackBody(ids, deps.offerKind, now).catch((error: unknown) => (deps.events.report(error), plain)) : plain;
    // Signed by the identity the message was sealed to: during a rotation the sender still knows only the old key.
    const envelope = seal(body.body, { from: batch.as, to: card, precedence, ttl, contentType: body.contentType, pad: deps.policy.pad, now });
    const route = { messageId: envelopeId(envelope), routingTags: envelopeRoutingTags(envelope), expiresAt: envelopeExpiry(envelope) };
    // Without a retry here, only the sender's next resend (its ack deadline: 30 minutes for ROUTINE) would bring the ack about.
    const delays = backoff(deps.policy.retryMinDelayMs, deps.policy.maxBackoffMs);
    while (!(await offer(envelope, route, batch, ids))) {
      if (deps.signal.aborted || deps.clock.now() >= route.expiresAt || awaitingRetry >= MAX_ACKS_AWAITING_RETRY) return;
      awaitingRetry++;
      try {
        await delay(delays.next(), deps.signal);
      } finally {
        awaitingRetry--;
      }
    }
  }

  /** Whether a channel took the ack. Channels that are forbidden, too small, down or whose breaker is open are skipped. */
  async function offer(envelope: Uint8Array, route: Route, batch: Batch, ids: readonly string[]): Promise<boolean> {
    for (const channel of deps.channels) {
      if (deps.signal.aborted) return false;
      if (isForbidden(deps.policy, channel.name, batch.precedence, [batch.card.fingerprint]) || channel.transport.capabilities.maxEnvelopeBytes < envelope.length) continue;
      if (!channel.available(Date.now())) continue;
      try {
        await channel.send(envelope, route, deps.signal);
        deps.events.emit({ type: 'ack-sent', to: batch.card.fingerprint, ids, channel: channel.name });
        return true;
      } catch {
        // The next channel.
      }
    }
    return false;
  }

  function flush(): void {
    flushScheduled = false;
    const batches = [...owed.values()];
    owed.clear();
    for (const batch of batches) {
      const ids = [...batch.ids];
      for (let start = 0; start < ids.length; start += MAX_IDS_PER_ACK) void sendAck(batch, ids.slice(start, start + MAX_IDS_PER_ACK)).catch(deps.events.report);
    }
  }

  return {
    queue(card, id, opened, as) {
      const key = `${card.fingerprint}|${as.card.fingerprint}`;
      const batch = owed.get(key) ?? { card, as, ids: new Set<string>(), precedence: opened.precedence, expiresAt: opened.expires.getTime() };
      batch.ids.add(id);
      batch.expiresAt = Math.max(batch.expiresAt, opened.expires.getTime());
      owed.set(key, batch);
      if (!flushScheduled) {
        flushScheduled = true;
        platform.afterThisTurn(flush);
      }
    },
    async apply(acked, from) {
      for (const id of acked.map((each) => deps.outboxIdOf.get(each) ?? each)) {
        deps.trust?.acknowledged?.(id, from);
        const updated = await deps.records.update(id, (record) => (record.recipients.includes(from) && !record.acked.includes(from) ? { ...record, acked: [...record.acked, from], updatedAt: Date.now() } : undefined));
        if (updated && updated.acked.length === updated.recipients.length && !TERMINAL.has(updated.status)) await deps.status.set(id, 'delivered');
      }
    },
  };
}
