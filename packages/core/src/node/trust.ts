import type { Card } from '../card.js';
import type { ContactResolver } from '../contacts.js';
import type { OpenedMessage } from '../envelope/open.js';
import type { Identity } from '../identity.js';
import type { PrekeySecretStore } from '../prekey/secret-store.js';

/**
 * The node's hooks for an organisation trust policy (implemented by
 * @herald/trust; core knows no certificate format). The node calls them on
 * every message in and out; a hook refuses by throwing a HeraldError, which the
 * node reports as a 'rejected' event with that code and never as a crash.
 */
export interface NodeTrust {
  /** Cards the policy knows beyond the contacts (certified senders, successors), so key-id envelopes from them open. */
  readonly contacts?: ContactResolver;
  /** Judges an opened, signature-checked envelope: deliver it (possibly unwrapped), consume it (a control message), or throw. */
  inbound(message: OpenedMessage, context: InboundTrustContext): TrustVerdict | Promise<TrustVerdict>;
  /** May wrap an outgoing payload, e.g. attach the sender's certificate for recipients that may not hold it yet. */
  outbound?(message: OutboundMessage, recipients: readonly Card[]): OutboundMessage | Promise<OutboundMessage>;
  /** A message was sealed and queued: its id, its recipients and the payload as `outbound` returned it. */
  sealed?(id: string, recipients: readonly Card[], message: OutboundMessage): void;
  /** `from` (a fingerprint) acknowledged message `id` end to end. */
  acknowledged?(id: string, from: string): void;
  /** The card to seal to in place of `card`, e.g. its successor after a key rotation. */
  successor?(card: Card): Card;
  /** Fingerprints an ack signed by `fingerprint` also stands for, e.g. the keys it succeeded. */
  aliases?(fingerprint: string): readonly string[];
  /** Whether the policy holds a revocation of `card`'s key (directly, or through its certificate chain). */
  revoked?(card: Card): boolean;
  /** Calls `listener` each time the policy takes a newer revocation list; returns the unsubscribe. The node then drops the revoked contacts' prekeys. */
  onRevocations?(listener: () => void): () => void;
}

export interface InboundTrustContext {
  /** When the channel delivered the envelope (ms); the time the policy judges validity at. */
  readonly receivedAt: number;
  /** True when re-opening a message accepted earlier (the inbox after a restart): unwrap it, do not judge it again. */
  readonly stored: boolean;
}

export interface OutboundMessage {
  readonly payload: Uint8Array | string;
  readonly contentType?: string;
}

/** What an organisation's certificate chain says about a sender, as the policy verified it. */
export interface SenderTrust {
  /** Fingerprint of the trusted authority at the root of the chain. */
  readonly authority: string;
  readonly authorityLabel: string;
  /** The role the sender's certificate names (may be empty). */
  readonly role: string;
  /** Certificates in the chain, the sender's own included. */
  readonly chainLength: number;
  /** The earliest expiry in the chain. */
  readonly validUntil: Date;
}

export type TrustVerdict =
  /** Hand `message` (possibly unwrapped, with the sender's card filled in) to the application. */
  | { readonly action: 'deliver'; readonly message: OpenedMessage; readonly trust?: SenderTrust }
  /** A control message the policy has applied (a revocation list, a rotation): acknowledge it, deliver nothing. */
  | { readonly action: 'consume'; readonly message: OpenedMessage };

/** An identity the node has rotated away from, kept for decryption only until `until` (ms), so mail sealed to it still opens. */
export interface RetiredIdentity {
  readonly identity: Identity;
  readonly until: number;
  /** Its prekey secrets, so version-2 mail sealed to its prekeys still opens; without them such mail is refused (PREKEY_GONE). */
  readonly prekeys?: PrekeySecretStore;
}
