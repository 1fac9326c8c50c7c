import type { Card } from '../card.js';
import { OptionsError } from '../errors.js';
import { epochOf } from './blinding.js';
import { epochTagFor } from './tags.js';

/**
 * The next epoch is collected this far ahead, for senders whose clocks run ahead (docs/protocol.md section 5.4);
 * for epochs shorter than this, one epoch ahead (the window never reaches past the next epoch).
 */
export const EPOCH_LOOKAHEAD_SECONDS = 300;

function lookaheadSeconds(epochSeconds: number): number {
  return Math.min(EPOCH_LOOKAHEAD_SECONDS, epochSeconds);
}
/** Old epochs are collected this long by default: a relay's default retention, so nothing stored is orphaned. */
export const DEFAULT_EPOCH_RETAIN_SECONDS = 30 * 86_400;
/** At most this many epochs are collected at once: it bounds the tags a recipient matches and a transport claims. */
export const MAX_COLLECTED_EPOCHS = 64;

export interface EpochRange {
  readonly first: number;
  readonly last: number;
}

/** The epochs collected at `nowMs`: from the one `retainSeconds` ago to the one the lookahead reaches. */
export function collectedEpochs(nowMs: number, epochSeconds: number, retainSeconds: number): EpochRange {
  if (!Number.isInteger(retainSeconds) || retainSeconds < 0) throw new OptionsError(`retainSeconds: expected a non-negative whole number of seconds, got ${retainSeconds}`);
  return { first: epochOf(Math.max(0, nowMs - retainSeconds * 1000), epochSeconds), last: epochOf(nowMs + lookaheadSeconds(epochSeconds) * 1000, epochSeconds) };
}

/** How many epochs a retain window spans at most (wherever the boundaries fall): what the 64-epoch bound checks. */
export function maxCollectedEpochs(epochSeconds: number, retainSeconds: number): number {
  return Math.ceil((retainSeconds + lookaheadSeconds(epochSeconds)) / epochSeconds) + 1;
}

/**
 * The epoch tags of `card` collected at `nowMs`, newest last. With `clamp`, a window wider than MAX_COLLECTED_EPOCHS
 * keeps its newest epochs (used by `open` without a tag list); without it, such a window is refused.
 */
export function collectedEpochTags(card: Card & { readonly epochSeconds: number }, nowMs: number, retainSeconds: number, clamp = false): Uint8Array[] {
  const { first, last } = collectedEpochs(nowMs, card.epochSeconds, retainSeconds);
  const count = last - first + 1;
  if (count > MAX_COLLECTED_EPOCHS && !clamp) {
    throw new OptionsError(`epochTags: ${count} epochs of ${card.epochSeconds} s in the retain window; at most ${MAX_COLLECTED_EPOCHS} (raise the card's epoch length or lower retainSeconds)`);
  }
  const tags: Uint8Array[] = [];
  for (let epoch = Math.max(first, last - MAX_COLLECTED_EPOCHS + 1); epoch <= last; epoch++) tags.push(epochTagFor(card, epoch));
  return tags;
}
