import type { ClockEvent } from './clock.js';
import type { Card } from '../card.js';
import type { Identity } from '../identity.js';
import type { Precedence } from '../precedence.js';
import type { OutboxRecord } from '../store.js';
import type { SendHandle, StatusChange } from './handle.js';
import type { ForwardSecrecy } from './policy.js';
import type { ReceivedMessage } from './received.js';

export type { NodeInit } from './init.js';

export interface SendOptions {
  readonly precedence?: Precedence;
  /** Seconds. Default 24 h. */
  readonly ttl?: number;
  readonly contentType?: string;
  /**
   * Seal for channels where people carry every character (the manual: channel's
   * cipher groups): sender named by key id, no padding, text coded (protocol.md
   * 7.5.6). A 100-character radio message is then 77 groups instead of 117. The
   * recipient needs this node's card, and the exact length shows. Default false.
   */
  readonly compact?: boolean;
  /** Overrides the policy's forward-secrecy mode for this message. */
  readonly forwardSecrecy?: ForwardSecrecy;
  /**
   * Cancels the send until the message is in the durable outbox: aborted before then, `send` rejects with ABORTED
   * and nothing is stored. Once stored, the message is sent whatever the signal (stop the node to stop sending).
   */
  readonly signal?: AbortSignal;
}

export type NodeEvent =
  | ({ readonly type: 'status' } & StatusChange)
  /** A clock found off by 30 s or more, told once per source (node/clock.ts). */
  | ClockEvent
  /** An envelope refused for good. `id`: its message id, when the outer header is readable; `sender`: the fingerprint of a sender whose signature verified (refused as not a contact, uncertified or revoked). */
  | { readonly type: 'rejected'; readonly code: string; readonly channel: string; readonly message: string; readonly id?: string; readonly sender?: string }
  | { readonly type: 'breaker'; readonly channel: string; readonly state: string }
  | { readonly type: 'ack-sent'; readonly to: string; readonly ids: readonly string[]; readonly channel: string }
  /**
   * One send of a message on one channel: taken (`accepted`), or not (`failed`, with the error's code and message),
   * or passed over (`skipped`: the channel is down or its breaker open, with why).
   */
  | { readonly type: 'attempt'; readonly id: string; readonly channel: string; readonly outcome: 'accepted' | 'failed' | 'skipped'; readonly code?: string; readonly message?: string }
  /**
   * When and where a message goes next: after a pass in which no channel took it (`no-channel-took-it`, backoff), or
   * after a channel took it and the end-to-end ack deadline will pass first (`ack-deadline`: then it is hedged on
   * `channel`, the next one round the list — a failover when that differs from the one that took it).
   */
  | { readonly type: 'next-attempt'; readonly id: string; readonly at: number; readonly reason: 'no-channel-took-it' | 'ack-deadline'; readonly channel?: string }
  /**
   * The routing tags the channels collect changed (a version-2 identity's epoch boundary): how many there are now,
   * entered and left. Counts only: the tags themselves would link this identity's mailboxes in a log.
   */
  | { readonly type: 'routing-tags'; readonly count: number; readonly added: number; readonly removed: number }
  | { readonly type: 'error'; readonly error: Error };

/**
 * A node: created → `start()` → running → `stop()` → stopped for good (make a new node to start again, over the
 * same store). Every signal only cancels; none is needed.
 */
export interface HeraldNode {
  readonly identity: Identity;
  /**
   * Loads the outbox and inbox, starts the channels, and resolves once they have started (a channel that fails to
   * start is reported as an `error` event; the node runs without it). `signal` is the node's lifetime, as a
   * transport's start signal is: already aborted, `start` rejects with ABORTED and the node stays startable; aborted
   * during start, the node stops and `start` rejects with ABORTED once it has; aborted later, the node stops (as by
   * `stop()`). A second `start`, or one after `stop`, rejects with NODE_STOPPED.
   */
  start(options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Stops at once taking sends, dispatching and receiving, then waits for the channels to stop and for in-flight
   * store writes to finish; `signal` only cuts that wait short (the node is stopped either way, and writes still
   * under way finish on their own). The store stays open (it is the caller's): close it after `stop` resolved
   * without an aborted signal. Idempotent: a second call waits for the first.
   */
  stop(options?: { signal?: AbortSignal }): Promise<void>;
  /** Seals and durably enqueues a message; resolves once it is in the durable outbox. Before `start` it waits there. */
  send(to: Card | string | ReadonlyArray<Card | string>, payload: Uint8Array | string, options?: SendOptions): Promise<SendHandle>;
  /** The handle of a message already in the outbox (e.g. after a restart). */
  handle(id: string): Promise<SendHandle | undefined>;
  /**
   * Received messages, each handed out once until acked; unacked ones come again after a restart. At most
   * `maxReceivedMessages` are unacked at a time. Ends when the node stops or `signal` aborts.
   */
  messages(options?: { signal?: AbortSignal }): AsyncIterableIterator<ReceivedMessage>;
  outbox(): Promise<OutboxRecord[]>;
  /** Waits until no message is queued or accepted, or the signal aborts; returns how many are still pending. */
  flush(options?: { signal?: AbortSignal }): Promise<number>;
  subscribe(listener: (event: NodeEvent) => void): () => void;
}
