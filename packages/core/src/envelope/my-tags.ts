import { OptionsError } from '../errors.js';
import type { Card } from '../card.js';
import { collectedEpochs, collectedEpochTags, DEFAULT_EPOCH_RETAIN_SECONDS, MAX_COLLECTED_EPOCHS } from '../epoch/window.js';
import { constantTimeEqual } from '../sodium.js';
import type { OpenClock, OpenOptions } from './open-common.js';

/** The static tag plus at most MAX_COLLECTED_EPOCHS epoch tags: what a recipient may match against. */
export const MAX_OPEN_ROUTING_TAGS = MAX_COLLECTED_EPOCHS + 1;

export function checkRoutingTagsOption(tags: OpenOptions['routingTags']): void {
  if (tags === undefined) return;
  if (!Array.isArray(tags) || tags.length < 1 || tags.length > MAX_OPEN_ROUTING_TAGS) {
    throw new OptionsError(`routingTags: expected 1 to ${MAX_OPEN_ROUTING_TAGS} tags`);
  }
  if (!tags.every((tag) => tag instanceof Uint8Array && tag.length === 16)) throw new OptionsError('routingTags: every tag must be 16 bytes');
}

/**
 * The tags whose entries are ours: the caller's list (a node passes the set it collects), or by default the static
 * tag and, for a version-2 card, the epoch tags of the default retain window (its newest 64 epochs at most).
 */
export function myRoutingTags(options: OpenOptions, clock: OpenClock): readonly Uint8Array[] {
  if (options.routingTags !== undefined) return options.routingTags;
  const { card } = options.identity;
  if (card.epochSeconds === undefined) return [card.routingTag];
  const nowMs = clock.nowSeconds * 1000;
  // The window moves only at epoch boundaries: up to 64 key blindings are derived once per window, not per open().
  const { first, last } = collectedEpochs(nowMs, card.epochSeconds, DEFAULT_EPOCH_RETAIN_SECONDS);
  const cached = windows.get(card);
  if (cached && cached.first === first && cached.last === last) return cached.tags;
  const tags = [card.routingTag, ...collectedEpochTags({ ...card, epochSeconds: card.epochSeconds }, nowMs, DEFAULT_EPOCH_RETAIN_SECONDS, true)];
  windows.set(card, { first, last, tags });
  return tags;
}

/** Each card's last default window of tags (public values), dropped with the card. */
const windows = new WeakMap<Card, { readonly first: number; readonly last: number; readonly tags: readonly Uint8Array[] }>();

/** Whether `tag` is one of `tags`, comparing against every one in constant time (no early exit). */
export function isOneOf(tag: Uint8Array, tags: readonly Uint8Array[]): boolean {
  let found = false;
  for (const each of tags) {
    const equal = constantTimeEqual(tag, each);
    found = found || equal;
  }
  return found;
}
