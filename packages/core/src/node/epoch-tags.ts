import { toHex } from '../bytes.js';
import type { Card } from '../card.js';
import { OptionsError } from '../errors.js';
import { collectedEpochs, DEFAULT_EPOCH_RETAIN_SECONDS, EPOCH_LOOKAHEAD_SECONDS, MAX_COLLECTED_EPOCHS, maxCollectedEpochs } from '../epoch/window.js';
import { epochTagFor } from '../epoch/tags.js';

/** `NodeInit.epochTags`: how the node collects a version-2 identity's epoch mailboxes (docs/protocol.md section 5.4). */
export interface EpochTagsInit {
  /**
   * How long an epoch's mailbox is still collected after the epoch ends, in seconds: what a relay keeps mail for.
   * The window from then to the next epoch may span at most 64 epochs. Default: 30 days (2 592 000).
   */
  readonly retainSeconds?: number;
}

/** The epoch tags of the node's identity: the current set, and when it next changes. Undefined for a version-1 card. */
export interface EpochTagSet {
  /** The tags collected at `nowMs`, oldest epoch first, as bytes (for open) and hex (for the channels). */
  at(nowMs: number): { readonly bytes: readonly Uint8Array[]; readonly hex: readonly string[] };
  /** When (ms) the set after `nowMs` next changes: an old epoch leaves the window or the next one enters it. */
  nextChange(nowMs: number): number;
}

/** Checks `epochTags` and, for a version-2 card, refuses a window of more than 64 epochs (OptionsError naming both). */
export function epochTagSet(card: Card, init: EpochTagsInit | undefined): EpochTagSet | undefined {
  if (init !== undefined && (typeof init !== 'object' || init === null)) throw new OptionsError('epochTags: expected an object');
  const retain = init?.retainSeconds ?? DEFAULT_EPOCH_RETAIN_SECONDS;
  if (!Number.isSafeInteger(retain) || retain < 0) throw new OptionsError(`epochTags.retainSeconds: expected a non-negative whole number of seconds, got ${String(retain)}`);
  const epochSeconds = card.epochSeconds;
  if (epochSeconds === undefined) return undefined;
  const most = maxCollectedEpochs(epochSeconds, retain);
  if (most > MAX_COLLECTED_EPOCHS) {
    throw new OptionsError(`epochTags.retainSeconds: ${retain} s with the card's ${epochSeconds} s epochs spans up to ${most} epochs; at most ${MAX_COLLECTED_EPOCHS} (lower retainSeconds or use longer epochs)`);
  }
  const epochCard = { ...card, epochSeconds };
  // Each epoch's tag costs a scalar multiplication: computed once, forgotten when the epoch leaves the window.
  const cache = new Map<number, Uint8Array>();
  const lookaheadMs = Math.min(EPOCH_LOOKAHEAD_SECONDS, epochSeconds) * 1000;
  const epochMs = epochSeconds * 1000;
  return {
    at(nowMs) {
      const { first, last } = collectedEpochs(nowMs, epochSeconds, retain);
      for (const epoch of cache.keys()) if (epoch < first || epoch > last) cache.delete(epoch);
      const bytes: Uint8Array[] = [];
      for (let epoch = first; epoch <= last; epoch++) {
        const tag = cache.get(epoch) ?? epochTagFor(epochCard, epoch);
        cache.set(epoch, tag);
        bytes.push(tag);
      }
      return { bytes, hex: bytes.map(toHex) };
    },
    nextChange(nowMs) {
      const { first, last } = collectedEpochs(nowMs, epochSeconds, retain);
      // The oldest epoch leaves once now − retain reaches its end; the next enters once now + lookahead reaches its start.
      return Math.min((first + 1) * epochMs + retain * 1000, (last + 1) * epochMs - lookaheadMs);
    },
  };
}
