import { toHex } from './bytes.js';
import type { Card } from './card.js';

/** Looks up known contacts by the identifiers an envelope can carry. */
export interface ContactResolver {
  bySigningKey(signingPublicKey: Uint8Array): Card | undefined;
  byKeyId(keyId: Uint8Array): Card | undefined;
}

/** An in-memory contact list. A later card with the same signing key replaces the earlier one. */
export function contactList(cards: Iterable<Card>): ContactResolver & { readonly cards: readonly Card[] } {
  const bySigningKey = new Map<string, Card>();
  const byKeyId = new Map<string, Card>();
  for (const card of cards) {
    bySigningKey.set(toHex(card.signingPublicKey), card);
    byKeyId.set(toHex(card.keyId), card);
  }
  return {
    cards: [...bySigningKey.values()],
    bySigningKey: (key) => bySigningKey.get(toHex(key)),
    byKeyId: (id) => byKeyId.get(toHex(id)),
  };
}

export function isContactResolver(value: unknown): value is ContactResolver {
  return typeof value === 'object' && value !== null && typeof (value as ContactResolver).bySigningKey === 'function' && typeof (value as ContactResolver).byKeyId === 'function';
}
