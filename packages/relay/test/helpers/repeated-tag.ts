import { generateIdentity, seal, type Identity } from '@herald/core';

/**
 * An envelope whose header lists `to`'s routing tag twice (entries 0 and 2 of three), as anyone holding `to`'s card
 * can write one. Its AEAD no longer holds (the header changed), which does not matter here: a relay reads the header only.
 */
export function repeatedTagEnvelope(to: Identity): Uint8Array {
  const bytes = seal('listed twice', { from: generateIdentity(), to: [to.card, generateIdentity().card, generateIdentity().card] });
  const entries = 38;
  const entryBytes = 48;
  bytes.set(to.card.routingTag, entries + 2 * entryBytes);
  return bytes;
}
