import { generateIdentity, seal, type Identity } from '@herald/core';

/** An identity with a version-2 card: epoch tags of `epochSeconds`. */
export const epochIdentity = (epochSeconds: number): Identity => generateIdentity({ epochSeconds });

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
