import type { NodeClock } from './clock.js';
import { toHex } from '../bytes.js';
import { cardToText, type Card } from '../card.js';
import { envelopeId } from '../envelope/inspect.js';
import { DEFAULT_TTL_SECONDS } from '../envelope/seal-common.js';
import { HeraldError, OptionsError } from '../errors.js';
import { secureRandom } from '../random.js';
import type { HeraldStore, OutboxRecord } from '../store.js';
import type { SendOptions } from './api.js';
import type { Dispatcher } from './dispatcher.js';
import type { NodePrekeys } from './forward-secrecy.js';
import type { HandleRegistry, SendHandle } from './handle.js';
import { sealedFields, type OutboxSealing } from './held.js';
import { FORWARD_SECRECY_MODES, forwardSecrecyFor, type ResolvedPolicy } from './policy.js';
import type { NodeDirectory } from './prekey-directory.js';
import type { OutboxRecords } from './records.js';
import { resolveRecipient } from './recipients.js';
import { sealMessage } from './sealing.js';
import type { NodeTrust } from './trust.js';

export interface SenderDeps {
  /** The corrected time the message is sealed with. */
  readonly clock: NodeClock;
  readonly contacts: readonly Card[];
  readonly store: HeraldStore;
  readonly records: OutboxRecords;
  readonly handles: HandleRegistry;
  readonly policy: ResolvedPolicy;
  readonly prekeys: NodePrekeys;
  readonly sealing: OutboxSealing;
  /** Asked for recipients' prekeys the node holds none of, unless forward secrecy is `off`. */
  readonly directory?: NodeDirectory;
  readonly dispatcher: Dispatcher;
  readonly trust?: NodeTrust;
  /** Throws NODE_STOPPED once the node is stopped, ABORTED when `signal` is aborted. */
  checkOpen(signal: AbortSignal | undefined): void;
}

export type Send = (to: Card | string | ReadonlyArray<Card | string>, payload: Uint8Array | string, options?: SendOptions) => Promise<SendHandle>;

/** `send`: resolves the recipients (and their successors), applies the trust policy, seals, and writes the outbox record. */
export function sender(deps: SenderDeps): Send {
  const { policy, trust } = deps;

  /** The trust policy refused a recipient as revoked: its prekeys are deleted, then the refusal goes to the caller. */
  async function forgetRevoked(error: unknown, cards: readonly Card[], outbound: NonNullable<NodeTrust['outbound']>): Promise<never> {
    if (error instanceof HeraldError && error.code === 'REVOKED') {
      for (const card of cards) {
        const refused = await Promise.resolve({ payload: new Uint8Array(0) })
          .then((probe) => outbound(probe, [card]))
          .then(() => false, (each: unknown) => each instanceof HeraldError && each.code === 'REVOKED');
        if (refused) await deps.store.deleteContactPrekeys(card.fingerprint);
      }
    }
    throw error;
  }

  return async (to, payload, options = {}) => {
    deps.checkOpen(options.signal);
    if (options.compact !== undefined && typeof options.compact !== 'boolean') throw new OptionsError(`compact: expected a boolean, got ${String(options.compact)}`);
    if (options.forwardSecrecy !== undefined && !FORWARD_SECRECY_MODES.includes(options.forwardSecrecy)) throw new OptionsError(`forwardSecrecy: expected required, preferred or off, got ${String(options.forwardSecrecy)}`);
    const targets = (Array.isArray(to) ? to : [to]) as ReadonlyArray<Card | string>;
    // After a rotation a contact is sealed to its successor, without the caller changing anything.
    const named = targets.map((target) => resolveRecipient(deps.contacts, target));
    const cards = named.map((card) => trust?.successor?.(card) ?? card);
    // A rotated contact's old prekeys are of no use any more (they would not verify against the successor): forget them.
    for (const [index, card] of named.entries()) if (cards[index]?.fingerprint !== card.fingerprint) await deps.store.deleteContactPrekeys(card.fingerprint);
    const plain = { payload, ...(options.contentType ? { contentType: options.contentType } : {}) };
    const outbound = trust?.outbound?.bind(trust);
    const outgoing = outbound ? await Promise.resolve(plain).then((message) => outbound(message, cards)).catch(async (error: unknown) => forgetRevoked(error, cards, outbound)) : plain;
    const precedence = options.precedence ?? 'ROUTINE';
    const compact = options.compact ?? false;
    const now = deps.clock.now();
    const mode = options.forwardSecrecy ?? forwardSecrecyFor(policy, precedence, cards.map((card) => card.fingerprint), deps.sealing.allowed(cards, precedence));
    const request = { cards, payload: outgoing.payload, precedence, pad: compact ? false : policy.pad, compact, mode, kinds: deps.sealing.kinds(cards, precedence), now, ...(outgoing.contentType ? { contentType: outgoing.contentType } : {}), ...(options.ttl !== undefined ? { ttl: options.ttl } : {}) };
    if (mode !== 'off') await deps.directory?.fill(cards, request.kinds, Math.floor(now / 1000) + (options.ttl ?? DEFAULT_TTL_SECONDS), options.signal);
    // Sealed as of now (the directory may have taken a while), on the corrected clock.
    const outcome = await sealMessage(deps.prekeys.sealing, { ...request, now: deps.clock.now() });
    const base = { routingTags: cards.map((card) => toHex(card.routingTag)), recipients: cards.map((card) => card.fingerprint), acked: [], precedence, createdAt: now, acceptedBy: [], attempts: [], updatedAt: now };
    let record: OutboxRecord;
    if (outcome.held) {
      // Kept unsealed (the payload at rest in the outbox, as the application's own copy would be) until prekeys arrive.
      const ttl = options.ttl ?? 24 * 3600;
      const bytes = typeof outgoing.payload === 'string' ? new TextEncoder().encode(outgoing.payload) : outgoing.payload;
      const held = { payload: bytes, contentType: outgoing.contentType ?? (typeof outgoing.payload === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream'), ttl, compact, cards: cards.map(cardToText) };
      record = { ...base, id: toHex(secureRandom(16)), envelope: new Uint8Array(0), expiresAt: now + ttl * 1000, status: 'awaiting-prekeys', held };
    } else {
      record = { ...base, id: envelopeId(outcome.envelope), ...sealedFields(outcome), status: 'queued' };
    }
    // The last moment the send can be called off: once the record is written, the message goes out.
    deps.checkOpen(options.signal);
    await deps.records.put(record);
    trust?.sealed?.(record.id, cards, outgoing);
    deps.handles.emit({ id: record.id, status: record.status, at: now });
    const handle = deps.handles.handle(record.id, record.status);
    deps.dispatcher.start(record.id);
    return handle;
  };
}
