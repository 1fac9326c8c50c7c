import { generateIdentity, seal, type Identity } from '@herald/core';

/** An identity whose card has epoch tags of `epochSeconds` (card v2's field; the relay needs nothing else of it). */
export function epochIdentity(epochSeconds: number): Identity {
  const identity = generateIdentity();
  return { ...identity, card: { ...identity.card, epochSeconds } };
}

/**
 * An envelope whose one recipient entry carries `tag`, as a sender sealing to an epoch tag writes it. The relay reads
 * only the outer header (tags, id, expiry), so the entry's other bytes need not match the tag.
 */
export function envelopeForTag(tag: Uint8Array, text = 'to an epoch mailbox'): Uint8Array {
  const bytes = seal(text, { from: generateIdentity(), to: generateIdentity().card });
  const entries = 38;
  bytes.set(tag, entries);
  return bytes;
}
