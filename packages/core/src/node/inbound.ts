import { fromHex } from '../bytes.js';
import type { Card } from '../card.js';
import type { ContactResolver } from '../contacts.js';
import { envelopeId } from '../envelope/inspect.js';
import { signedCreationOf } from '../envelope/open-common.js';
import { open, replayHorizonMs, replayKey, type OpenOptions, type OpenedMessage } from '../envelope/open.js';
import { EnvelopeError, isHeraldError, type HeraldError } from '../errors.js';
import type { Identity } from '../identity.js';
import type { PrekeyBundle } from '../prekey/bundle.js';
import type { PrekeySecretStore } from '../prekey/secret-store.js';
import type { HeraldStore } from '../store.js';
import type { InboundEnvelope } from '../transport.js';
import { ACK_CONTENT_TYPE, decodeAck } from './ack.js';
import { decodePrekeyed, PREKEYED_CONTENT_TYPE } from './prekey-container.js';
import type { Place, ReceivedMessage } from './received.js';
import type { NodeTrust, RetiredIdentity, SenderTrust, TrustVerdict } from './trust.js';

/**
 * What happens to every envelope a channel delivers: open and verify it, then
 * either apply it as an ack, or store it atomically (seen-set + inbox) and
 * acknowledge it end to end. The returned promise resolves once the outcome is
 * durable, so the channel may then drop its copy.
 */
export interface InboundContext {
  readonly identity: Identity;
  readonly contacts: ContactResolver;
  readonly requireKnownSender: boolean;
  readonly store: HeraldStore;
  readonly maxEnvelopeBytes: number;
  onAck(ids: readonly string[], from: string): Promise<void>;
  /** Queue an end-to-end ack of `id` to the sender, signed by the identity that opened it (a retired one during a rotation). */
  queueAck(sender: Card, id: string, opened: OpenedMessage, as: Identity): void;
  /**
   * A place in the application's bounded queue for the message of replay key `key`; undefined when a copy of it is
   * queued already; throws CAPACITY_EXCEEDED (retryable) when the queue is full. `force`: whatever the count.
   */
  reservePlace(key: string, force?: boolean): Place | undefined;
  /** An envelope refused for good: `id` when its outer header is readable, `sender` (fingerprint) once its signature verified. */
  rejected(code: string, channel: string, error: HeraldError, about: RefusedAbout): void;
  /** The organisation trust policy, when the node has one. */
  readonly trust?: NodeTrust;
  /** A contact's clock, `offsetMs` ahead of this node's corrected one (its signed creation time says so). */
  peerClock(fingerprint: string, offsetMs: number): void;
  /** Identities rotated away from, still used to decrypt until their grace period ends. */
  readonly retired?: readonly RetiredIdentity[];
  /** The routing tags whose entries are this identity's (a version-2 card's epoch window); undefined: its static tag. */
  readonly openTags: () => readonly Uint8Array[] | undefined;
  /** This identity's prekey secrets, to open version-2 envelopes; a one-time secret is deleted once its message is done with. */
  readonly prekeys: PrekeySecretStore;
  /** Prekeys a contact piggybacked on a message or an ack: checked and kept (the node's job). */
  receivedPrekeys(sender: Card, bundle: PrekeyBundle): Promise<void>;
  /**
   * Messages whose one-time secret is deleted, by envelope id: a later copy no
   * longer opens (PREKEY_GONE) but is acked again, since its ack was lost.
   * Bounded, in memory.
   */
  readonly doneOneTime: Map<string, { readonly sender: Card; readonly opened: OpenedMessage; readonly as: Identity }>;
}

/** Envelope ids remembered in `doneOneTime`. */
const MAX_DONE_ONE_TIME = 4096;

export interface RefusedAbout {
  readonly id?: string;
  readonly sender?: string;
}

/** The verified sender of an envelope refused after its signature checked (not a contact, uncertified, revoked). */
const refusedSender = new WeakMap<Error, string>();
/** HeraldErrors the trust policy threw: refusals of the envelope (dropped, reported as `rejected`), not faults. */
const policyRefusals = new WeakSet<HeraldError>();

function refusedFrom<E extends Error>(error: E, opened: OpenedMessage): E {
  refusedSender.set(error, opened.sender.fingerprint);
  return error;
}

function withId(bytes: Uint8Array): { id?: string } {
  try {
    return { id: envelopeId(bytes) };
  } catch {
    return {};
  }
}

/** Opens with the current identity, then with a retired one still in its grace period when the envelope is not for the current one. */
async function openAsAnyIdentity(context: InboundContext, envelope: Uint8Array, receivedAt: number): Promise<{ opened: OpenedMessage; as: Identity }> {
  // Who is known is decided after the signature check (openStored), so a refusal can name a sender who really signed:
  // with a trust policy certified senders need not be contacts, and without one the contacts decide.
  const options: Omit<OpenOptions, 'identity'> = { contacts: context.contacts, now: receivedAt, maxEnvelopeBytes: context.maxEnvelopeBytes };
  try {
    const routingTags = context.openTags();
    return { opened: await open(envelope, { ...options, identity: context.identity, prekeys: context.prekeys, ...(routingTags ? { routingTags } : {}) }), as: context.identity };
  } catch (error) {
    if (!(error instanceof EnvelopeError) || error.code !== 'NOT_FOR_ME') throw error;
    for (const retired of context.retired ?? []) {
      if (retired.until < receivedAt) continue;
      try {
        return { opened: await open(envelope, { ...options, identity: retired.identity, ...(retired.prekeys ? { prekeys: retired.prekeys } : {}) }), as: retired.identity };
      } catch (inner) {
        if (!(inner instanceof EnvelopeError) || inner.code !== 'NOT_FOR_ME') throw inner;
      }
    }
    throw error;
  }
}

/**
 * Opens an envelope as of its reception time (a stored message stays valid after
 * its expiry passes) and puts it to the trust policy, if any. `stored` marks a
 * message accepted earlier and re-opened from the inbox.
 */
export type InboundVerdict = TrustVerdict & { readonly as: Identity; readonly prekeys?: PrekeyBundle };

/** Takes piggybacked prekeys out of a message (prekey-container.ts); MALFORMED when the container is not well formed. */
function unwrapPrekeys(opened: OpenedMessage): { opened: OpenedMessage; prekeys?: PrekeyBundle } {
  if (opened.contentType !== PREKEYED_CONTENT_TYPE) return { opened };
  const container = decodePrekeyed(opened.plaintext);
  if (!container) throw refusedFrom(new EnvelopeError('MALFORMED', 'prekey container is not well formed'), opened);
  return { opened: { ...opened, contentType: container.contentType, plaintext: container.body }, prekeys: container.bundle };
}

export async function openStored(context: InboundContext, envelope: Uint8Array, receivedAt: number, stored = true): Promise<InboundVerdict> {
  const { opened: wrapped, as } = await openAsAnyIdentity(context, envelope, receivedAt);
  const { opened, prekeys } = unwrapPrekeys(wrapped);
  const extra = prekeys ? { as, prekeys } : { as };
  if (!context.trust) {
    if (context.requireKnownSender && !opened.sender.card) throw refusedFrom(new EnvelopeError('UNKNOWN_SENDER', 'sender is not among the accepted contacts'), opened);
    return { action: 'deliver', message: opened, ...extra };
  }
  let verdict: TrustVerdict;
  try {
    verdict = await context.trust.inbound(opened, { receivedAt, stored });
  } catch (error) {
    // A HeraldError from the policy (TrustError in @herald/trust) refuses this envelope; anything else is a fault.
    if (!isHeraldError(error)) throw error;
    policyRefusals.add(error);
    throw refusedFrom(error, opened);
  }
  if (verdict.action === 'deliver' && context.requireKnownSender && !verdict.message.sender.card) {
    throw refusedFrom(new EnvelopeError('UNKNOWN_SENDER', 'sender is neither a contact nor certified'), opened);
  }
  return { ...verdict, ...extra };
}

/** Deletes the one-time prekey secret a message was opened with, once the message is done with; later copies are acked, not opened. */
async function finishOneTime(context: InboundContext, opened: OpenedMessage, as: Identity): Promise<void> {
  if (!opened.prekey?.oneTime) return;
  if (opened.sender.card) {
    context.doneOneTime.set(opened.id, { sender: opened.sender.card, opened, as });
    if (context.doneOneTime.size > MAX_DONE_ONE_TIME) context.doneOneTime.delete(context.doneOneTime.keys().next().value as string);
  }
  const secrets = as === context.identity ? context.prekeys : context.retired?.find((retired) => retired.identity === as)?.prekeys;
  await secrets?.delete(fromHex(opened.prekey.id));
}

export async function handleInbound(context: InboundContext, inbound: InboundEnvelope): Promise<void> {
  let verdict: InboundVerdict;
  try {
    verdict = await openStored(context, inbound.bytes, inbound.receivedAt, false);
  } catch (error) {
    const done = error instanceof EnvelopeError && error.code === 'PREKEY_GONE' ? context.doneOneTime.get(withId(inbound.bytes).id ?? '') : undefined;
    if (done) {
      // A copy of a message already stored and processed: its ack was lost, so ack it again.
      context.queueAck(done.sender, done.opened.id, done.opened, done.as);
      return;
    }
    if (error instanceof EnvelopeError || (isHeraldError(error) && policyRefusals.has(error))) {
      // Refused for good: the channel may drop it. Garbage never blocks a channel.
      const sender = refusedSender.get(error);
      const ahead = signedCreationOf(error);
      if (ahead) context.peerClock(ahead.fingerprint, ahead.createdMs - inbound.receivedAt);
      context.rejected(error.code, inbound.channel, error, { ...withId(inbound.bytes), ...(sender ? { sender } : {}) });
      return;
    }
    throw error;
  }
  const opened = verdict.message;
  // Created after it arrived (within the skew allowed): the sender's clock is ahead. Behind cannot be told from transit time.
  const ahead = opened.created.getTime() - inbound.receivedAt;
  if (opened.sender.card && ahead > 0) context.peerClock(opened.sender.card.fingerprint, ahead);
  if (verdict.prekeys && opened.sender.card) await context.receivedPrekeys(opened.sender.card, verdict.prekeys);

  if (opened.contentType === ACK_CONTENT_TYPE) {
    const ids = decodeAck(opened.plaintext);
    if (!ids) {
      context.rejected('MALFORMED', inbound.channel, new EnvelopeError('MALFORMED', 'ack body is not a list of message ids'), { ...withId(inbound.bytes), sender: opened.sender.fingerprint });
      return;
    }
    // After a key rotation the new key acks what was sent to the old one.
    for (const from of new Set([opened.sender.fingerprint, ...(context.trust?.aliases?.(opened.sender.fingerprint) ?? [])])) await context.onAck(ids, from);
    await finishOneTime(context, opened, verdict.as);
    return;
  }

  if (verdict.action === 'consume') {
    // Applied by the policy; only the seen-set remembers it, so it is acked again (not re-applied) when it comes back.
    await context.store.markSeen(replayKey(opened), replayHorizonMs(opened.expires.getTime()));
    if (opened.sender.card) context.queueAck(opened.sender.card, opened.id, opened, verdict.as);
    await finishOneTime(context, opened, verdict.as);
    return;
  }

  // Refused before it is stored or acked when the application's queue is full: the channel offers it again later.
  const key = replayKey(opened);
  const place = context.reservePlace(key);
  let isNew: boolean;
  try {
    isNew = await context.store.receive({ id: key, envelope: inbound.bytes, channel: inbound.channel, receivedAt: inbound.receivedAt, expiresAt: replayHorizonMs(opened.expires.getTime()) });
  } catch (error) {
    place?.release();
    throw error;
  }
  // New or duplicate, the sender is waiting for an ack: a duplicate usually means our last ack was lost.
  if (opened.sender.card) context.queueAck(opened.sender.card, opened.id, opened, verdict.as);
  if (!isNew) return place?.release();
  // Without a place only if a copy was queued, so never new; a stored message must reach the application all the same.
  const taken = place ?? context.reservePlace(key, true);
  taken?.fill(toReceived(context, opened, inbound.channel, inbound.receivedAt, verdict.trust, verdict.as, () => taken.release()));
}

/** `onRemoved`: called once the message has left the durable inbox (its place in the queue is free again). */
export function toReceived(context: InboundContext, opened: OpenedMessage, channel: string, receivedAt: number, trust: SenderTrust | undefined, as: Identity, onRemoved: () => void): ReceivedMessage {
  const card = opened.sender.card;
  let acked: Promise<void> | undefined;
  return {
    id: opened.id,
    ...(trust ? { trust } : {}),
    sender: card ? { fingerprint: opened.sender.fingerprint, label: card.label, card } : { fingerprint: opened.sender.fingerprint },
    precedence: opened.precedence,
    contentType: opened.contentType,
    plaintext: opened.plaintext,
    envelopeVersion: opened.version === 2 ? 2 : 1,
    postQuantum: opened.prekey?.kind === 'xwing',
    prekey: opened.prekey ? (opened.prekey.oneTime ? 'one-time' : 'medium-term') : null,
    get text() {
      return new TextDecoder().decode(opened.plaintext);
    },
    channel,
    created: opened.created,
    expires: opened.expires,
    receivedAt: new Date(receivedAt),
    ack() {
      // The one-time secret goes once the message has left the inbox: until then a restart must still open it.
      acked ??= context.store.removeInbox(replayKey(opened)).then(() => {
        onRemoved();
        return finishOneTime(context, opened, as);
      }).catch((error: unknown) => {
        acked = undefined;
        throw error;
      });
      return acked;
    },
  };
}
