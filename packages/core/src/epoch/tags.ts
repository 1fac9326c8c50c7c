import type { Card } from '../card.js';
import { EPOCH_DOMAIN } from '../domains.js';
import { OptionsError } from '../errors.js';
import { sodium } from '../sodium.js';
import { blindedMailboxKey } from './blinding.js';

/** tag_e = BLAKE2b-128(key "herald/v1/epoch-tag", A_e): what a relay derives from a MAILBOX_AUTH key. */
export function epochTagOfKey(blindedKey: Uint8Array): Uint8Array {
  if (blindedKey.length !== 32) throw new OptionsError('epochTagOfKey: a blinded key is 32 bytes');
  return sodium.crypto_generichash(16, blindedKey, EPOCH_DOMAIN.epochTag);
}

/** The card's epochSeconds, or a precise refusal for a version-1 card (which has only its static tag). */
export function cardEpochSeconds(card: Card): number {
  if (card.epochSeconds === undefined) throw new OptionsError('card has no epochSeconds: a version-1 card has only its static routing tag');
  return card.epochSeconds;
}

/** The routing tag envelopes for `card` carry during `epoch`; anyone holding the card can compute it. */
export function epochTagFor(card: Card, epoch: number): Uint8Array {
  return epochTagOfKey(blindedMailboxKey(card.signingPublicKey, cardEpochSeconds(card), epoch));
}

/** The tag an envelope sealed at `unixMs` carries for `card`: the epoch tag of a version-2 card, else the static tag. */
export function routingTagAt(card: Card, unixMs: number): Uint8Array {
  return card.epochSeconds === undefined ? card.routingTag : epochTagFor(card, Math.floor(Math.floor(unixMs / 1000) / card.epochSeconds));
}
