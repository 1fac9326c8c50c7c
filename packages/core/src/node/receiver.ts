import type { NodeClock } from './clock.js';
import type { ContactResolver } from '../contacts.js';
import { DEFAULT_MAX_ENVELOPE_BYTES } from '../envelope/open.js';
import { CapacityError } from '../errors.js';
import type { Identity } from '../identity.js';
import type { PrekeySecretStore } from '../prekey/secret-store.js';
import type { HeraldStore } from '../store.js';
import type { InboundEnvelope } from '../transport.js';
import type { AckHandling } from './acks.js';
import type { NodeEvents } from './events.js';
import type { NodePrekeys } from './forward-secrecy.js';
import type { OutboxSealing } from './held.js';
import { handleInbound, openStored, toReceived, type InboundContext } from './inbound.js';
import { messageQueue, type ReceivedMessage } from './received.js';
import type { RevokedPrekeys } from './revoked-prekeys.js';
import type { NodeTrust, RetiredIdentity } from './trust.js';

/** The receiving side: what channels deliver goes through inbound.ts into the application's bounded queue. */
export interface Receiver {
  /** The channels' `deliver`: resolves once the envelope's outcome is durable; rejects (CAPACITY_EXCEEDED, …) to have it offered again. */
  deliver(inbound: InboundEnvelope): Promise<void>;
  /** Queues what the durable inbox still holds from an earlier run (re-opened and re-checked); stops early once `signal` aborts. */
  loadInbox(signal: AbortSignal): Promise<void>;
  messages(signal?: AbortSignal): AsyncIterableIterator<ReceivedMessage>;
  close(): void;
}

export interface ReceiverDeps {
  /** The corrected time envelopes are checked against. */
  readonly clock: NodeClock;
  readonly identity: Identity;
  readonly contacts: ContactResolver;
  readonly requireKnownSender: boolean;
  readonly store: HeraldStore;
  readonly maxReceivedMessages: number;
  readonly acks: AckHandling;
  readonly prekeys: NodePrekeys;
  readonly secrets: PrekeySecretStore;
  readonly sealing: OutboxSealing;
  readonly events: NodeEvents;
  readonly trust?: NodeTrust;
  readonly retired?: readonly RetiredIdentity[];
  readonly revoked: RevokedPrekeys;
  /** The routing tags whose entries are this identity's (a version-2 card's epoch window); undefined: its static tag. */
  readonly openTags: () => readonly Uint8Array[] | undefined;
}

export function receiver(deps: ReceiverDeps): Receiver {
  const { events } = deps;
  const queue = messageQueue(deps.maxReceivedMessages);
  // Whether the application's queue refused a message since it last had room: reported once per stretch, not per copy.
  let full = false;
  const context: InboundContext = {
    identity: deps.identity,
    contacts: deps.contacts,
    requireKnownSender: deps.requireKnownSender,
    store: deps.store,
    maxEnvelopeBytes: DEFAULT_MAX_ENVELOPE_BYTES,
    onAck: (ids, from) => deps.acks.apply(ids, from),
    queueAck: (card, id, opened, as) => deps.acks.queue(card, id, opened, as),
    reservePlace(key, force) {
      try {
        const place = queue.reserve(key, force);
        if (place) full = false;
        return place;
      } catch (error) {
        if (!full && error instanceof CapacityError) events.report(error);
        full = true;
        throw error;
      }
    },
    peerClock: (fingerprint, offsetMs) => deps.clock.peer(fingerprint, offsetMs),
    rejected: (code, channel, error, about) => events.emit({ type: 'rejected', code, channel, message: error.message, ...about }),
    ...(deps.trust ? { trust: deps.trust } : {}),
    ...(deps.retired ? { retired: deps.retired } : {}),
    prekeys: deps.secrets,
    openTags: deps.openTags,
    async receivedPrekeys(sender, bundle) {
      if (deps.revoked.refuses(sender)) return;
      try {
        await deps.prekeys.received(sender, bundle, deps.clock.now());
      } catch (error) {
        // A forged or stale bundle is dropped; the message it came with is still delivered.
        events.report(error);
        return;
      }
      await deps.sealing.sealHeldFor(sender.fingerprint);
    },
    doneOneTime: new Map(),
  };

  return {
    // The channel's receivedAt (this machine's clock, perhaps long ago for a spool), corrected: a machine hours off
    // still takes in what is fresh.
    deliver: (inbound) => handleInbound(context, { ...inbound, receivedAt: inbound.receivedAt + deps.clock.offsetMs() }),
    async loadInbox(signal) {
      for (const stored of await deps.store.listInbox()) {
        if (signal.aborted) return;
        try {
          const verdict = await openStored(context, stored.envelope, stored.receivedAt);
          if (verdict.action !== 'deliver') {
            await deps.store.removeInbox(stored.id);
            continue;
          }
          // Stored in an earlier run, so it is queued whatever the limit: the limit holds back new arrivals instead.
          const place = queue.reserve(stored.id, true);
          place?.fill(toReceived(context, verdict.message, stored.channel, stored.receivedAt, verdict.trust, verdict.as, place.release));
        } catch (error) {
          events.report(error);
        }
      }
    },
    messages: (signal) => queue.iterate(signal),
    close: () => queue.close(),
  };
}
