import type { Card } from '../card.js';
import type { Identity } from '../identity.js';
import { verifyPrekeyBundle, type PrekeyBundle } from '../prekey/bundle.js';
import type { PrekeySecretStore } from '../prekey/secret-store.js';
import type { PrekeyKind } from '../prekey/types.js';
import type { HeraldStore } from '../store.js';
import { ACK_CONTENT_TYPE, encodeAck } from './ack.js';
import { mergeContactPrekeys } from './contact-prekeys.js';
import { ONE_TIME_PER_MESSAGE, ownPrekeys, type OwnPrekeys, type ResolvedRotation } from './own-prekeys.js';
import { encodePrekeyed, PREKEYED_CONTENT_TYPE } from './prekey-container.js';
import type { SealingContext } from './sealing.js';

/** The node's prekey state: its own prekeys (rotated, offered on every message and ack) and its contacts' (kept per contact). */
export interface NodePrekeys {
  readonly sealing: SealingContext;
  readonly own: OwnPrekeys;
  /** Checks a contact's piggybacked bundle against its card and keeps it. PrekeyError BAD_PREKEY for a forged one. */
  received(card: Card, bundle: PrekeyBundle, now: number): Promise<void>;
  /** An ack's body, carrying this node's prekeys for `to`. */
  ackBody(ids: readonly string[], kind: PrekeyKind, now: number): Promise<{ body: Uint8Array; contentType: string }>;
}

export function nodePrekeys(identity: Identity, store: HeraldStore, secrets: PrekeySecretStore, rotation: ResolvedRotation, offering = true): NodePrekeys {
  const own = ownPrekeys(identity, secrets, rotation, offering);
  return {
    own,
    sealing: { identity, store, own },
    async received(card, bundle, now) {
      // Refused here, outside the store's transaction, so a forged bundle is a BAD_PREKEY and not a store failure.
      verifyPrekeyBundle(bundle, card, { now });
      // Atomic with the sends' updates, so a merge never brings back a one-time prekey a send is marking used.
      await store.updateContactPrekeys(card.fingerprint, (current) => mergeContactPrekeys(current, card, bundle, now));
    },
    async ackBody(ids, kind, now) {
      const bundle = await own.offer(kind, ONE_TIME_PER_MESSAGE, now);
      const ack = encodeAck(ids);
      if (bundle.prekeys.length === 0) return { body: ack, contentType: ACK_CONTENT_TYPE };
      return { body: encodePrekeyed(bundle, ACK_CONTENT_TYPE, ack), contentType: PREKEYED_CONTENT_TYPE };
    },
  };
}
