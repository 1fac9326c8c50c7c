import type { Card } from '../card.js';
import type { ContactResolver } from '../contacts.js';
import { open, replayHorizonMs, replayKey, type OpenedMessage } from '../envelope/open.js';
import { EnvelopeError } from '../errors.js';
import type { Identity } from '../identity.js';
import type { HeraldStore } from '../store.js';
import type { InboundEnvelope } from '../transport.js';
import { ACK_CONTENT_TYPE, decodeAck } from './ack.js';
import type { ReceivedMessage } from './received.js';

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
  /** Queue an end-to-end ack of `id` to the sender. */
  queueAck(sender: Card, id: string, opened: OpenedMessage): void;
  deliverToApplication(message: ReceivedMessage): void;
  rejected(code: string, channel: string, error: EnvelopeError): void;
}

export async function openStored(context: InboundContext, envelope: Uint8Array, receivedAt: number): Promise<OpenedMessage> {
  // Verified as of reception time: a stored message stays valid after its expiry passes.
  return open(envelope, { identity: context.identity, contacts: context.contacts, requireKnownSender: context.requireKnownSender, now: receivedAt, maxEnvelopeBytes: context.maxEnvelopeBytes });
}

export async function handleInbound(context: InboundContext, inbound: InboundEnvelope): Promise<void> {
  let opened: OpenedMessage;
  try {
    opened = await openStored(context, inbound.bytes, inbound.receivedAt);
  } catch (error) {
    if (error instanceof EnvelopeError) {
      // Refused for good: the channel may drop it. Garbage never blocks a channel.
      context.rejected(error.code, inbound.channel, error);
      return;
    }
    throw error;
  }

  if (opened.contentType === ACK_CONTENT_TYPE) {
    const ids = decodeAck(opened.plaintext);
    if (!ids) {
      context.rejected('MALFORMED', inbound.channel, new EnvelopeError('MALFORMED', 'ack body is not a list of message ids'));
      return;
    }
    await context.onAck(ids, opened.sender.fingerprint);
    return;
  }

  const isNew = await context.store.receive({
    id: replayKey(opened),
    envelope: inbound.bytes,
    channel: inbound.channel,
    receivedAt: inbound.receivedAt,
    expiresAt: replayHorizonMs(opened.expires.getTime()),
  });
  // New or duplicate, the sender is waiting for an ack: a duplicate usually means our last ack was lost.
  if (opened.sender.card) context.queueAck(opened.sender.card, opened.id, opened);
  if (isNew) context.deliverToApplication(toReceived(context, opened, inbound.channel, inbound.receivedAt));
}

export function toReceived(context: InboundContext, opened: OpenedMessage, channel: string, receivedAt: number): ReceivedMessage {
  const card = opened.sender.card;
  let acked: Promise<void> | undefined;
  return {
    id: opened.id,
    sender: card ? { fingerprint: opened.sender.fingerprint, label: card.label, card } : { fingerprint: opened.sender.fingerprint },
    precedence: opened.precedence,
    contentType: opened.contentType,
    plaintext: opened.plaintext,
    get text() {
      return new TextDecoder().decode(opened.plaintext);
    },
    channel,
    created: opened.created,
    expires: opened.expires,
    receivedAt: new Date(receivedAt),
    ack() {
      acked ??= context.store.removeInbox(replayKey(opened)).catch((error: unknown) => {
        acked = undefined;
        throw error;
      });
      return acked;
    },
  };
}
