import { boundedMap, collectedEpochs, collectedEpochTags, DEFAULT_EPOCH_RETAIN_SECONDS, OptionsError, toHex, type Card } from '@herald/core';
import { isMailAddress } from './url.js';

/** A recipient named by its card: needed for a version-2 card, whose routing tag changes every epoch. */
export interface AddressCard {
  readonly card: Card;
  readonly address: string;
}

/** Epoch tags kept per card (each costs a scalar multiplication): its window of at most 64, and old ones until they age out. */
const TAGS_PER_CARD = 128;

/**
 * Routing tag → address for recipients given by card. A version-1 card has its static tag; a version-2 card
 * (docs/protocol.md 5.4) the tag of every epoch a sender's envelope may still carry: those of the last 30 days
 * (a relay's retention; an outbox retransmits with the tag of the first sealing) up to the next epoch, at most
 * 64, as the recipient's node collects them.
 */
export function addressCards(cards: readonly AddressCard[] | undefined): (tag: string, now: number) => string | undefined {
  if (cards === undefined) return () => undefined;
  if (!Array.isArray(cards)) throw new OptionsError('emailTransport: addressCards: expected an array of { card, address }');
  const fixed = new Map<string, string>();
  const epochal: { card: Card & { readonly epochSeconds: number }; address: string }[] = [];
  cards.forEach((entry: AddressCard, index) => {
    if (typeof entry !== 'object' || entry === null || !(entry.card?.routingTag instanceof Uint8Array)) throw new OptionsError(`emailTransport: addressCards[${index}]: expected { card, address } with a parsed card`);
    if (!isMailAddress(entry.address)) throw new OptionsError(`emailTransport: addressCards[${index}].address: expected an e-mail address, got ${JSON.stringify(entry.address)}`);
    const { epochSeconds } = entry.card;
    if (epochSeconds === undefined) fixed.set(toHex(entry.card.routingTag), entry.address);
    else epochal.push({ card: { ...entry.card, epochSeconds }, address: entry.address });
  });
  const known = boundedMap<string>(TAGS_PER_CARD * Math.max(1, epochal.length));
  /** Per card, the newest epoch whose window was mapped: a tag that is nobody's costs no sweep until a window moves. */
  const mappedUpTo = new Map<Card, number>();
  return (tag, now) => {
    const found = fixed.get(tag) ?? known.get(tag);
    if (found !== undefined) return found;
    for (const { card, address } of epochal) {
      const { last } = collectedEpochs(now, card.epochSeconds, DEFAULT_EPOCH_RETAIN_SECONDS);
      if (mappedUpTo.get(card) === last) continue;
      mappedUpTo.set(card, last);
      for (const epochTag of collectedEpochTags(card, now, DEFAULT_EPOCH_RETAIN_SECONDS, true)) known.set(toHex(epochTag), address);
    }
    return known.get(tag);
  };
}
