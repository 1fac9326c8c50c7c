import { fingerprintMatches, parseCard, type Card } from '../card.js';
import { crockfordNormalize } from '../base32.js';
import { DeliveryError } from '../errors.js';

/** Resolves `to` given as a card, a one-line card text, a fingerprint or a label. */
export function resolveRecipient(contacts: readonly Card[], to: Card | string): Card {
  if (typeof to !== 'string') return to;
  if (to.startsWith('herald-card:')) return parseCard(to);
  const normalized = crockfordNormalize(to);
  if (normalized !== undefined && normalized.length === 25) {
    const byFingerprint = contacts.find((card) => fingerprintMatches(card, to));
    if (byFingerprint) return byFingerprint;
  }
  const byLabel = contacts.filter((card) => card.label.toLowerCase() === to.toLowerCase());
  if (byLabel.length === 1 && byLabel[0]) return byLabel[0];
  if (byLabel.length > 1) throw new DeliveryError('UNKNOWN_RECIPIENT', `label "${to}" matches ${byLabel.length} contacts; use a fingerprint`);
  throw new DeliveryError('UNKNOWN_RECIPIENT', `no contact with label or fingerprint "${to}"`);
}
