import { platform } from '#platform';
import { toHex } from '../bytes.js';
import { cardToText, parseCard, type Card } from '../card.js';
import { contactList, type ContactResolver } from '../contacts.js';
import { DEFAULT_MAX_ENVELOPE_BYTES } from '../envelope/open.js';
import { envelopeExpiry, envelopeId as envelopeIdOf } from '../envelope/inspect.js';
import { seal } from '../envelope/seal.js';
import { memoryPrekeySecretStore, type PrekeySecretStore } from '../prekey/secret-store.js';
import { secureRandom } from '../random.js';
import { DeliveryError, HeraldError, OptionsError } from '../errors.js';
import type { Identity } from '../identity.js';
import type { Precedence } from '../precedence.js';
import type { HeraldStore, OutboxRecord, OutboundStatus } from '../store.js';
import type { Transport } from '../transport.js';
import { ACK_CONTENT_TYPE, encodeAck, MAX_IDS_PER_ACK } from './ack.js';
import { nodePrekeys } from './forward-secrecy.js';
import { resolveRotation, type PrekeyRotationInit } from './own-prekeys.js';
import { kindsFor, sealMessage, type SealOutcome } from './sealing.js';
import { semaphore } from './async.js';
import { createChannel, type Channel } from './channel.js';
import { handleRegistry, type SendHandle, type StatusChange } from './handle.js';
import { handleInbound, openStored, toReceived, type InboundContext } from './inbound.js';
import { dispatch, noPrekeyFailure, type DispatchContext } from './outbound.js';
import { FORWARD_SECRECY_MODES, forwardSecrecyFor, isForbidden, resolvePolicy, type ForwardSecrecy, type NodePolicy } from './policy.js';
import { messageQueue, type ReceivedMessage } from './received.js';
import { outboxRecords, TERMINAL } from './records.js';
import { resolveRecipient } from './recipients.js';
import type { NodeTrust, RetiredIdentity } from './trust.js';

export interface NodeInit {
  readonly identity: Identity;
  /** Known contacts. Messages from others are refused (UNKNOWN_SENDER) unless `requireKnownSender` is false. */
  readonly contacts?: Iterable<Card>;
  readonly store: HeraldStore;
  /** Channels in order of preference. */
  readonly channels: readonly Transport[];
  readonly policy?: NodePolicy;
  /** Default true: only contacts can reach the application (and only they can be acked). */
  readonly requireKnownSender?: boolean;
  /** Finished (delivered, expired, failed) outbox records are deleted this long after their last change. Default 7 days. */
  readonly retainFinishedMs?: number;
  /** An organisation trust policy (`createTrust` in @herald/trust): certificates in and out, revocation, rotation. */
  readonly trust?: NodeTrust;
  /** Identities this node rotated away from: mail sealed to them still opens until each one's `until`. */
  readonly retiredIdentities?: readonly RetiredIdentity[];
  /**
   * This identity's prekey secrets (envelope version 2): pass `lmdbPrekeySecretStore` (@herald/store-lmdb) beside a
   * durable store. Without one the node offers no prekeys of its own, so mail to it stays version 1 (it still seals
   * version 2 to contacts that offer theirs): secrets kept only in memory would be lost at a restart, and with them
   * every envelope sealed to them. The node does not close it.
   */
  readonly prekeys?: PrekeySecretStore;
  /** The node's medium-term prekey schedule. Defaults: a new one every 24 h, sealUntil +48 h, openUntil +7 days. */
  readonly prekeyRotation?: PrekeyRotationInit;
}

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
  readonly signal?: AbortSignal;
}

export type NodeEvent =
  | ({ readonly type: 'status' } & StatusChange)
  /** An envelope refused for good. `id`: its message id, when the outer header is readable; `sender`: the fingerprint of a sender whose signature verified (refused as not a contact, uncertified or revoked). */
  | { readonly type: 'rejected'; readonly code: string; readonly channel: string; readonly message: string; readonly id?: string; readonly sender?: string }
  | { readonly type: 'breaker'; readonly channel: string; readonly state: string }
  | { readonly type: 'ack-sent'; readonly to: string; readonly ids: readonly string[]; readonly channel: string }
  | { readonly type: 'error'; readonly error: Error };

export interface HeraldNode {
  readonly identity: Identity;
  start(options?: { signal?: AbortSignal }): Promise<void>;
  /** Stops channels and dispatchers; in-flight store writes finish first. The store stays open (it is the caller's). */
  stop(): Promise<void>;
  /** Seals and durably enqueues a message; resolves once it is in the durable outbox. */
  send(to: Card | string | ReadonlyArray<Card | string>, payload: Uint8Array | string, options?: SendOptions): Promise<SendHandle>;
  /** The handle of a message already in the outbox (e.g. after a restart). */
  handle(id: string): Promise<SendHandle | undefined>;
  /** Received messages, each handed out once until acked; unacked ones come again after a restart. */
  messages(options?: { signal?: AbortSignal }): AsyncIterableIterator<ReceivedMessage>;
  outbox(): Promise<OutboxRecord[]>;
  /** Waits until no message is queued or accepted, or the signal aborts; returns how many are still pending. */
  flush(options?: { signal?: AbortSignal }): Promise<number>;
  subscribe(listener: (event: NodeEvent) => void): () => void;
}

function checkInit(init: NodeInit): void {
  if (typeof init !== 'object' || init === null) throw new OptionsError('createNode: init is required');
  if (!init.identity?.card) throw new OptionsError('identity: expected an Identity');
  if (!init.store || typeof init.store.receive !== 'function') throw new OptionsError('store: expected a HeraldStore');
  if (!Array.isArray(init.channels)) throw new OptionsError('channels: expected an array of transports');
  const names = new Set<string>();
  for (const channel of init.channels) {
    if (!channel || typeof channel.send !== 'function' || typeof channel.name !== 'string') throw new OptionsError('channels: every entry must implement Transport');
    if (names.has(channel.name)) throw new OptionsError(`channels: ${channel.name} is listed twice`);
    names.add(channel.name);
  }
  if (init.prekeys !== undefined && (typeof init.prekeys !== 'object' || typeof init.prekeys?.get !== 'function')) throw new OptionsError('prekeys: expected a PrekeySecretStore');
  const retain = init.retainFinishedMs;
  if (retain !== undefined && (!Number.isFinite(retain) || retain < 0)) throw new OptionsError('retainFinishedMs: expected a non-negative number of ms');
}

export function createNode(init: NodeInit): HeraldNode {
  checkInit(init);
  const policy = resolvePolicy(init.policy);
  const { identity, store } = init;
  const secrets = init.prekeys ?? memoryPrekeySecretStore(identity);
  const rotation = resolveRotation(init.prekeyRotation);
  // Without a prekey store of the application's (durable, like its message store), the node offers no prekeys:
  // secrets only in memory would be lost at a restart with every envelope in flight to them.
  const prekeys = nodePrekeys(identity, store, secrets, rotation, init.prekeys !== undefined);
  // The prekey kind this node offers: X-Wing unless one of its channels is too small to carry it.
  const offerKinds = kindsFor(init.channels.map((transport) => transport.capabilities.maxEnvelopeBytes));
  const offerKind = offerKinds[0] ?? 'x25519';
  // Envelope id → outbox id, for messages held for prekeys and sealed later (their ids differ).
  const outboxIdOf = new Map<string, string>();
  const sealingHeld = new Set<string>();
  const contactCards = [...(init.contacts ?? [])];
  const contactsOnly = contactList(contactCards);
  const trusted = init.trust?.contacts;
  // The policy's cards (certified senders, successors) come after the contacts.
  const contacts: ContactResolver = trusted
    ? { bySigningKey: (key) => contactsOnly.bySigningKey(key) ?? trusted.bySigningKey(key), byKeyId: (id) => contactsOnly.byKeyId(id) ?? trusted.byKeyId(id) }
    : contactsOnly;
  const listeners = new Set<(event: NodeEvent) => void>();
  const emit = (event: NodeEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // A faulty listener must not break delivery.
      }
    }
  };
  const channels: Channel[] = init.channels.map((transport) => createChannel(transport, policy, (state) => emit({ type: 'breaker', channel: transport.name, state })));
  const records = outboxRecords(store);
  const handles = handleRegistry((id) => records.get(id));
  const queue = messageQueue();
  const wakers = new Map<string, Set<() => void>>();
  const jobs = new Map<string, Promise<void>>();
  const lifetime = new AbortController();
  // Every waiting dispatcher and in-flight attempt listens on the lifetime signal (and detaches when done).
  platform.allowManyListeners(lifetime.signal);
  let state: 'created' | 'running' | 'stopped' = 'created';
  let maintenance: NodeJS.Timeout | undefined;
  let rotationTimer: NodeJS.Timeout | undefined;

  const notify = (id: string): void => {
    for (const wake of [...(wakers.get(id) ?? [])]) wake();
  };

  async function setStatus(id: string, status: OutboundStatus, detail: { channel?: string; failure?: { code: string; message: string } } = {}): Promise<void> {
    const at = Date.now();
    const updated = await records.update(id, (record) => (record.status === status || TERMINAL.has(record.status) ? undefined : { ...record, status, updatedAt: at, ...(detail.failure ? { failure: detail.failure } : {}) }));
    if (!updated || updated.status !== status) return;
    if (TERMINAL.has(status)) records.forget(id);
    const change: StatusChange = { id, status, at, ...(detail.channel ? { channel: detail.channel } : {}), ...(detail.failure ? { failure: detail.failure } : {}) };
    handles.emit(change);
    emit({ type: 'status', ...change });
    notify(id);
  }

  const sending = semaphore(policy.maxConcurrentSends);
  const dispatchContext: DispatchContext = {
    channels,
    policy,
    records,
    sending,
    signal: lifetime.signal,
    setStatus,
    onChange(id, wake) {
      let set = wakers.get(id);
      if (!set) wakers.set(id, (set = new Set()));
      set.add(wake);
      return () => {
        set.delete(wake);
        if (set.size === 0) wakers.delete(id);
      };
    },
  };

  function startDispatch(id: string): void {
    if (state !== 'running' || jobs.has(id)) return;
    const job = dispatch(dispatchContext, id)
      .catch((error: unknown) => emit({ type: 'error', error: error instanceof Error ? error : new Error(String(error)) }))
      .finally(() => jobs.delete(id));
    jobs.set(id, job);
  }

  const pendingAcks = new Map<string, { card: Card; as: Identity; ids: Set<string>; precedence: Precedence; expiresAt: number }>();
  let ackFlushScheduled = false;

  async function sendAck(card: Card, ids: readonly string[], precedence: Precedence, expiresAt: number, as: Identity): Promise<void> {
    const ttl = Math.max(60, Math.ceil((expiresAt - Date.now()) / 1000));
    // Prekeys are this identity's: a retired one's acks carry none.
    const body = as === identity ? await prekeys.ackBody(ids, offerKind, Date.now()) : { body: encodeAck(ids), contentType: ACK_CONTENT_TYPE };
    // Signed by the identity the message was sealed to: during a rotation the sender still knows only the old key.
    const envelope = seal(body.body, { from: as, to: card, precedence, ttl, contentType: body.contentType, pad: policy.pad });
    const route = { messageId: envelopeIdOf(envelope), routingTags: [toHex(card.routingTag)], expiresAt: envelopeExpiry(envelope) };
    for (const channel of channels) {
      if (isForbidden(policy, channel.name, precedence, [card.fingerprint]) || channel.transport.capabilities.maxEnvelopeBytes < envelope.length) continue;
      if (!channel.available(Date.now())) continue;
      try {
        await channel.send(envelope, route, lifetime.signal);
        emit({ type: 'ack-sent', to: card.fingerprint, ids, channel: channel.name });
        return;
      } catch {
        // Next channel. If none takes it, the sender's retransmission brings the message back and we ack again.
      }
    }
  }

  function flushAcks(): void {
    ackFlushScheduled = false;
    const batches = [...pendingAcks.values()];
    pendingAcks.clear();
    for (const batch of batches) {
      const ids = [...batch.ids];
      for (let start = 0; start < ids.length; start += MAX_IDS_PER_ACK) {
        void sendAck(batch.card, ids.slice(start, start + MAX_IDS_PER_ACK), batch.precedence, batch.expiresAt, batch.as).catch((error: unknown) => emit({ type: 'error', error: error as Error }));
      }
    }
  }

  const inboundContext: InboundContext = {
    identity,
    contacts,
    requireKnownSender: init.requireKnownSender ?? true,
    store,
    maxEnvelopeBytes: DEFAULT_MAX_ENVELOPE_BYTES,
    async onAck(acked, from) {
      for (const id of acked.map((each) => outboxIdOf.get(each) ?? each)) {
        init.trust?.acknowledged?.(id, from);
        const updated = await records.update(id, (record) => (record.recipients.includes(from) && !record.acked.includes(from) ? { ...record, acked: [...record.acked, from], updatedAt: Date.now() } : undefined));
        if (updated && updated.acked.length === updated.recipients.length && !TERMINAL.has(updated.status)) await setStatus(id, 'delivered');
      }
    },
    queueAck(card, id, opened, as) {
      const key = `${card.fingerprint}|${as.card.fingerprint}`;
      const batch = pendingAcks.get(key) ?? { card, as, ids: new Set<string>(), precedence: opened.precedence, expiresAt: opened.expires.getTime() };
      batch.ids.add(id);
      batch.expiresAt = Math.max(batch.expiresAt, opened.expires.getTime());
      pendingAcks.set(key, batch);
      if (!ackFlushScheduled) {
        ackFlushScheduled = true;
        platform.afterThisTurn(flushAcks);
      }
    },
    deliverToApplication: (message) => queue.push(message),
    rejected: (code, channel, error, about) => emit({ type: 'rejected', code, channel, message: error.message, ...about }),
    ...(init.trust ? { trust: init.trust } : {}),
    ...(init.retiredIdentities ? { retired: init.retiredIdentities } : {}),
    prekeys: secrets,
    async receivedPrekeys(sender, bundle) {
      try {
        await prekeys.received(sender, bundle, Date.now());
      } catch (error) {
        // A forged or stale bundle is dropped; the message it came with is still delivered.
        emit({ type: 'error', error: error as Error });
        return;
      }
      for (const record of await store.listOutbox()) {
        if (record.status === 'awaiting-prekeys' && record.recipients.includes(sender.fingerprint)) await sealHeld(record.id);
      }
    },
    doneOneTime: new Map(),
  };

  function sealOptions(cards: readonly Card[], precedence: Precedence) {
    const allowed = channels.filter((channel) => !isForbidden(policy, channel.name, precedence, cards.map((card) => card.fingerprint)));
    return kindsFor(allowed.map((channel) => channel.transport.capabilities.maxEnvelopeBytes));
  }

  function sealedFields(outcome: Extract<SealOutcome, { held: false }>) {
    return { envelope: outcome.envelope, expiresAt: envelopeExpiry(outcome.envelope), envelopeVersion: outcome.version, postQuantum: outcome.postQuantum, prekey: outcome.prekey };
  }

  /** Seals a message held for prekeys, if every recipient's have arrived; it then goes out as any other. */
  async function sealHeld(id: string): Promise<void> {
    // Two bundles arriving together must not seal one message twice (each would take a one-time prekey).
    if (sealingHeld.has(id)) return;
    sealingHeld.add(id);
    try {
      await sealHeldOnce(id);
    } finally {
      sealingHeld.delete(id);
    }
  }

  async function sealHeldOnce(id: string): Promise<void> {
    const record = records.get(id) ?? (await store.getOutbox(id));
    const held = record?.held;
    if (!record || !held || record.status !== 'awaiting-prekeys') return;
    const cards = held.cards.map((text) => parseCard(text));
    const ttl = Math.floor((record.expiresAt - Date.now()) / 1000);
    if (ttl < 1) return;
    const request = { cards, payload: held.payload, contentType: held.contentType, precedence: record.precedence, ttl, pad: held.compact ? false : policy.pad, compact: held.compact, mode: 'required' as const, kinds: sealOptions(cards, record.precedence), now: Date.now() };
    const outcome = await sealMessage(prekeys.sealing, request);
    if (outcome.held) return;
    const envelopeId = envelopeIdOf(outcome.envelope);
    outboxIdOf.set(envelopeId, id);
    const at = Date.now();
    const updated = await records.update(id, (current) => {
      if (current.status !== 'awaiting-prekeys') return undefined;
      const { held: _held, ...rest } = current;
      return { ...rest, ...sealedFields(outcome), envelopeId, status: 'queued', updatedAt: at };
    });
    if (updated?.status !== 'queued') return;
    handles.emit({ id, status: 'queued', at });
    emit({ type: 'status', id, status: 'queued', at });
    notify(id);
  }

  /** The trust policy refused a recipient as revoked: its prekeys are deleted, then the refusal goes to the caller. */
  async function forgetRevoked(error: unknown, cards: readonly Card[], outbound: NonNullable<NodeTrust['outbound']>): Promise<never> {
    if (error instanceof HeraldError && error.code === 'REVOKED') {
      for (const card of cards) {
        const refused = await Promise.resolve({ payload: new Uint8Array(0) })
          .then((probe) => outbound(probe, [card]))
          .then(() => false, (each: unknown) => each instanceof HeraldError && each.code === 'REVOKED');
        if (refused) await store.deleteContactPrekeys(card.fingerprint);
      }
    }
    throw error;
  }

  async function rotatePrekeys(): Promise<void> {
    await prekeys.own.rotate(offerKinds.slice(0, 1), Date.now());
  }

  async function maintain(): Promise<void> {
    const now = Date.now();
    await store.pruneSeen(now);
    const retain = init.retainFinishedMs ?? 7 * 24 * 60 * 60 * 1000;
    for (const record of await store.listOutbox()) {
      if (TERMINAL.has(record.status) && record.updatedAt + retain < now) await store.deleteOutbox(record.id);
      else if (!TERMINAL.has(record.status) && record.expiresAt <= now && !jobs.has(record.id)) {
        await (record.status === 'awaiting-prekeys' ? setStatus(record.id, 'failed', { failure: noPrekeyFailure(record) }) : setStatus(record.id, 'expired'));
      }
    }
  }

  return {
    identity,
    async start() {
      if (state !== 'created') throw new DeliveryError('NODE_STOPPED', `node cannot start: it is ${state}`);
      state = 'running';
      for (const record of await records.load()) {
        if (record.envelopeId) outboxIdOf.set(record.envelopeId, record.id);
        if (!TERMINAL.has(record.status)) startDispatch(record.id);
      }
      await rotatePrekeys();
      for (const stored of await store.listInbox()) {
        try {
          const verdict = await openStored(inboundContext, stored.envelope, stored.receivedAt);
          if (verdict.action === 'deliver') queue.push(toReceived(inboundContext, verdict.message, stored.channel, stored.receivedAt, verdict.trust, verdict.as));
          else await store.removeInbox(stored.id);
        } catch (error) {
          emit({ type: 'error', error: error as Error });
        }
      }
      // Retired identities keep collecting their mailbox through the grace period.
      const routingTags = [identity, ...(init.retiredIdentities ?? []).map((retired) => retired.identity)].map((each) => toHex(each.card.routingTag));
      const started = await Promise.allSettled(
        init.channels.map((transport) => transport.start({ routingTags, signal: lifetime.signal, deliver: (inbound) => handleInbound(inboundContext, inbound) })),
      );
      for (const result of started) if (result.status === 'rejected') emit({ type: 'error', error: result.reason as Error });
      maintenance = setInterval(() => void maintain().catch((error: unknown) => emit({ type: 'error', error: error as Error })), 60_000);
      // Timers are objects with unref() under Node, plain numbers in a browser (where nothing needs keeping alive).
      maintenance.unref?.();
      // Checked often enough to keep to a drill's schedule of seconds, at most once a minute otherwise.
      rotationTimer = setInterval(() => void rotatePrekeys().catch((error: unknown) => emit({ type: 'error', error: error as Error })), Math.min(rotation.everySeconds * 1000, 60_000));
      rotationTimer.unref?.();
    },
    async stop() {
      if (state === 'stopped') return;
      const wasRunning = state === 'running';
      state = 'stopped';
      clearInterval(maintenance);
      clearInterval(rotationTimer);
      lifetime.abort();
      sending.close();
      // Waiting dispatchers hold no listener on the lifetime signal; wake them so they see it aborted.
      for (const set of [...wakers.values()]) for (const wake of [...set]) wake();
      queue.close();
      if (wasRunning) await Promise.allSettled(init.channels.map((transport) => transport.stop()));
      await Promise.allSettled([...jobs.values()]);
    },
    async send(to, payload, options = {}) {
      if (state === 'stopped') throw new DeliveryError('NODE_STOPPED', 'node is stopped');
      if (options.signal?.aborted) throw new DeliveryError('NODE_STOPPED', 'send aborted before it started');
      if (options.compact !== undefined && typeof options.compact !== 'boolean') throw new OptionsError(`compact: expected a boolean, got ${String(options.compact)}`);
      if (options.forwardSecrecy !== undefined && !FORWARD_SECRECY_MODES.includes(options.forwardSecrecy)) throw new OptionsError(`forwardSecrecy: expected required, preferred or off, got ${String(options.forwardSecrecy)}`);
      const targets = (Array.isArray(to) ? to : [to]) as ReadonlyArray<Card | string>;
      const trust = init.trust;
      // After a rotation a contact is sealed to its successor, without the caller changing anything.
      const named = targets.map((target) => resolveRecipient(contactCards, target));
      const cards = named.map((card) => trust?.successor?.(card) ?? card);
      // A rotated contact's old prekeys are of no use any more (they would not verify against the successor): forget them.
      for (const [index, card] of named.entries()) if (cards[index]?.fingerprint !== card.fingerprint) await store.deleteContactPrekeys(card.fingerprint);
      const plain = { payload, ...(options.contentType ? { contentType: options.contentType } : {}) };
      const outbound = trust?.outbound?.bind(trust);
      const outgoing = outbound ? await Promise.resolve(plain).then((message) => outbound(message, cards)).catch(async (error: unknown) => forgetRevoked(error, cards, outbound)) : plain;
      const precedence = options.precedence ?? 'ROUTINE';
      const compact = options.compact ?? false;
      const now = Date.now();
      const mode = options.forwardSecrecy ?? forwardSecrecyFor(policy, precedence, cards.map((card) => card.fingerprint));
      const request = { cards, payload: outgoing.payload, precedence, pad: compact ? false : policy.pad, compact, mode, kinds: sealOptions(cards, precedence), now, ...(outgoing.contentType ? { contentType: outgoing.contentType } : {}), ...(options.ttl !== undefined ? { ttl: options.ttl } : {}) };
      const outcome = await sealMessage(prekeys.sealing, request);
      const base = { routingTags: cards.map((card) => toHex(card.routingTag)), recipients: cards.map((card) => card.fingerprint), acked: [], precedence, createdAt: now, acceptedBy: [], attempts: [], updatedAt: now };
      let record: OutboxRecord;
      if (outcome.held) {
        // Kept unsealed (the payload at rest in the outbox, as the application's own copy would be) until prekeys arrive.
        const ttl = options.ttl ?? 24 * 3600;
        const payload = typeof outgoing.payload === 'string' ? new TextEncoder().encode(outgoing.payload) : outgoing.payload;
        const held = { payload, contentType: outgoing.contentType ?? (typeof outgoing.payload === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream'), ttl, compact, cards: cards.map(cardToText) };
        record = { ...base, id: toHex(secureRandom(16)), envelope: new Uint8Array(0), expiresAt: now + ttl * 1000, status: 'awaiting-prekeys', held };
      } else {
        record = { ...base, id: envelopeIdOf(outcome.envelope), ...sealedFields(outcome), status: 'queued' };
      }
      await records.put(record);
      trust?.sealed?.(record.id, cards, outgoing);
      handles.emit({ id: record.id, status: record.status, at: now });
      const handle = handles.handle(record.id, record.status);
      startDispatch(record.id);
      return handle;
    },
    async handle(id) {
      const record = records.get(id) ?? (await store.getOutbox(id));
      return record ? handles.handle(id, record.status) : undefined;
    },
    messages: (options = {}) => queue.iterate(options.signal),
    outbox: () => store.listOutbox(),
    async flush(options = {}) {
      for (;;) {
        const pending = (await store.listOutbox()).filter((record) => !TERMINAL.has(record.status));
        if (pending.length === 0 || options.signal?.aborted || state !== 'running') return pending.length;
        const first = pending[0];
        if (!first) return 0;
        await handles.handle(first.id, first.status).settled(options.signal ? { signal: options.signal } : {});
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

