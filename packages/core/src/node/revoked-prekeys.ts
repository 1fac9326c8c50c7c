import type { Card } from '../card.js';
import type { HeraldStore } from '../store.js';
import type { NodeTrust } from './trust.js';

/**
 * A revoked key's prekeys are deleted as soon as the trust policy takes the list (and again at start), not at the
 * next send to that contact: a seized device's key must stop receiving mail sealed to it at once.
 */
export interface RevokedPrekeys {
  /** Whether a bundle from `sender` is to be refused (its key is revoked); otherwise remembers it as a holder. */
  refuses(sender: Card): boolean;
  /** Deletes the prekeys kept for every holder whose key is revoked now. */
  drop(): Promise<void>;
  /** Drops on every newer list the policy takes; returns the unsubscribe. */
  watch(onError: (error: unknown) => void): () => void;
}

export function revokedPrekeys(store: HeraldStore, contacts: readonly Card[], trust: NodeTrust | undefined): RevokedPrekeys {
  // Every card this node may hold prekeys of: its contacts, and senders whose bundles arrived (certified non-contacts).
  const holders = new Map<string, Card>(contacts.map((card) => [card.fingerprint, card]));
  const revoked = (card: Card): boolean => trust?.revoked?.(card) ?? false;
  const drop = async (): Promise<void> => {
    if (!trust?.revoked) return;
    for (const card of [...holders.values()]) if (revoked(card)) await store.deleteContactPrekeys(card.fingerprint);
  };
  return {
    refuses(sender) {
      if (revoked(sender)) return true;
      holders.set(sender.fingerprint, sender);
      return false;
    },
    drop,
    watch: (onError) => trust?.onRevocations?.(() => void drop().catch(onError)) ?? (() => undefined),
  };
}
