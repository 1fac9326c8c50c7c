import { blindedMailbox, epochOf, epochTagFor, toHex, type BlindedMailbox, type Identity } from '@herald/core';

/** Epochs before now searched for a tag: the node collects at most 64 (docs/protocol.md 5.4), plus a margin for clocks. */
const EPOCHS_BACK = 66;
/** How far ahead the node collects (the next epoch, 5 min early), plus a margin for clocks. */
const AHEAD_MS = 300_000;

/**
 * The epoch mailboxes of `identity` among `tags` (hex), found by computing its epoch tags around `now`: the node
 * hands the transport tags only, and anyone holding the card can compute them, so the transport recognises its own.
 * Tags that are no epoch tag of this identity are left out (the caller decides what they are). Bounded: at most
 * EPOCHS_BACK + 2 + 300 s / epochSeconds tags are computed per call, one blinding per tag found.
 */
export function epochMailboxes(identity: Identity, tags: readonly string[], now: number): Map<string, BlindedMailbox> {
  const found = new Map<string, BlindedMailbox>();
  const epochSeconds = identity.card.epochSeconds;
  if (epochSeconds === undefined || tags.length === 0) return found;
  const wanted = new Set(tags);
  const newest = epochOf(now + AHEAD_MS, epochSeconds) + 1;
  const oldest = Math.max(0, epochOf(now, epochSeconds) - EPOCHS_BACK);
  for (let epoch = newest; epoch >= oldest && found.size < wanted.size; epoch--) {
    const tag = toHex(epochTagFor(identity.card, epoch));
    if (wanted.has(tag)) found.set(tag, blindedMailbox(identity, epoch));
  }
  return found;
}
