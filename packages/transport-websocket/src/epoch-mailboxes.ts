import { blindedMailbox, collectedEpochs, epochTagFor, MAX_COLLECTED_EPOCHS, toHex, type BlindedMailbox, type Identity } from '@herald/core';

/** Epochs searched besides the node's window, either side: its clock is corrected from the relays, this one's is not. */
const CLOCK_MARGIN_EPOCHS = 2;

/**
 * The epoch mailboxes of `identity` among `tags` (hex), found by computing its epoch tags around `now`: the node
 * hands the transport tags only, and anyone holding the card can compute them, so the transport recognises its own.
 * Tags that are no epoch tag of this identity are left out (the caller decides what they are). Bounded: at most
 * MAX_COLLECTED_EPOCHS + 2 · CLOCK_MARGIN_EPOCHS tags are computed per call, one blinding per tag found.
 */
export function epochMailboxes(identity: Identity, tags: readonly string[], now: number): Map<string, BlindedMailbox> {
  const found = new Map<string, BlindedMailbox>();
  const epochSeconds = identity.card.epochSeconds;
  if (epochSeconds === undefined || tags.length === 0) return found;
  const wanted = new Set(tags);
  // The node's window ends with the epoch its lookahead reaches and spans at most MAX_COLLECTED_EPOCHS.
  const newest = collectedEpochs(now, epochSeconds, 0).last + CLOCK_MARGIN_EPOCHS;
  const oldest = Math.max(0, newest - MAX_COLLECTED_EPOCHS - 2 * CLOCK_MARGIN_EPOCHS);
  for (let epoch = newest; epoch >= oldest && found.size < wanted.size; epoch--) {
    const tag = toHex(epochTagFor(identity.card, epoch));
    if (wanted.has(tag)) found.set(tag, blindedMailbox(identity, epoch));
  }
  return found;
}
