import { toHex } from '../bytes.js';
import type { Card } from '../card.js';
import { PrekeyError } from '../errors.js';
import { verifyPrekeyBundle, type PrekeyBundle } from '../prekey/bundle.js';
import { decodeSignedPrekey, encodeSignedPrekey } from '../prekey/encoding.js';
import type { PrekeyKind, SignedPrekey } from '../prekey/types.js';
import { verifySignedPrekey } from '../prekey/verify.js';
import type { ContactPrekeys, HeraldStore } from '../store.js';

/** One-time prekeys kept per contact (newest kept): a sender uses at most one per message, and gets one back per ack. */
export const MAX_CONTACT_ONE_TIME = 16;
/** Medium-term prekeys kept per contact: the current ones of each kind and their predecessors. */
export const MAX_CONTACT_MEDIUM_TERM = 4;
/** Used one-time ids remembered per contact; past this the oldest are forgotten (their prekeys expire long before). */
export const MAX_CONTACT_USED = 4096;

function usable(card: Card, prekey: SignedPrekey, now: number): boolean {
  try {
    verifySignedPrekey(prekey, card.signingPublicKey, { now, maxClockSkewSeconds: 0 });
    return true;
  } catch {
    return false;
  }
}

function decodeAll(record: ContactPrekeys | undefined): SignedPrekey[] {
  const prekeys: SignedPrekey[] = [];
  for (const bytes of record?.prekeys ?? []) {
    try {
      prekeys.push(decodeSignedPrekey(bytes));
    } catch {
      // A record from a damaged store: drop what does not decode.
    }
  }
  return prekeys;
}

/**
 * Adds a received bundle to what is kept for `card`: every prekey checked
 * against the card (one forged prekey refuses the whole bundle: PrekeyError
 * BAD_PREKEY), one-time prekeys already used left out, expired ones dropped,
 * and both kinds bounded (newest kept).
 */
export function mergeContactPrekeys(record: ContactPrekeys | undefined, card: Card, bundle: PrekeyBundle, now: number): ContactPrekeys {
  const received = verifyPrekeyBundle(bundle, card, { now });
  const used = (record?.used ?? []).filter((entry) => entry.until > now);
  const usedIds = new Set(used.map((entry) => entry.id));
  const byId = new Map<string, SignedPrekey>();
  for (const prekey of [...decodeAll(record), ...received]) {
    const id = toHex(prekey.id);
    if (!usedIds.has(id) && usable(card, prekey, now)) byId.set(id, prekey);
  }
  const newest = (oneTime: boolean, max: number): SignedPrekey[] =>
    [...byId.values()].filter((prekey) => prekey.oneTime === oneTime).sort((a, b) => b.created - a.created).slice(0, max);
  const kept = [...newest(true, MAX_CONTACT_ONE_TIME), ...newest(false, MAX_CONTACT_MEDIUM_TERM)];
  return { contact: card.fingerprint, prekeys: kept.map(encodeSignedPrekey), used: used.slice(-MAX_CONTACT_USED) };
}

/**
 * Keeps a bundle a contact handed over outside any message (`herald prekey import`, a courier): checked and
 * merged exactly as a piggybacked one, atomically with the sends' use of one-time prekeys. Returns how many of
 * the contact's prekeys are now kept. PrekeyError BAD_PREKEY for a forged or foreign bundle.
 */
export async function importContactPrekeys(store: HeraldStore, card: Card, bundle: PrekeyBundle, now = Date.now()): Promise<number> {
  verifyPrekeyBundle(bundle, card, { now });
  const kept = await store.updateContactPrekeys(card.fingerprint, (current) => mergeContactPrekeys(current, card, bundle, now));
  return kept?.prekeys.length ?? 0;
}

/**
 * The prekey to seal a message to `card` with, or undefined: a one-time
 * prekey first, else the medium-term one open longest; each still signed by
 * this card (so a rotated or replaced identity's prekeys are never used),
 * open for sealing now and kept by its owner until `expiresSeconds`. `kinds`:
 * the kinds the message's channels can carry.
 */
export function choosePrekey(record: ContactPrekeys | undefined, card: Card, now: number, expiresSeconds: number, kinds: readonly PrekeyKind[]): SignedPrekey | undefined {
  const candidates = decodeAll(record).filter((prekey) => kinds.includes(prekey.kind) && prekey.openUntil >= expiresSeconds && usable(card, prekey, now));
  const rank = (prekey: SignedPrekey): number => kinds.indexOf(prekey.kind);
  const oneTime = candidates.filter((prekey) => prekey.oneTime).sort((a, b) => rank(a) - rank(b) || a.created - b.created);
  if (oneTime[0]) return oneTime[0];
  return candidates.sort((a, b) => rank(a) - rank(b) || b.sealUntil - a.sealUntil)[0];
}

/** The record once `prekey` (one-time) is used: it is removed and remembered as used until its openUntil. */
export function markUsed(record: ContactPrekeys, prekey: SignedPrekey): ContactPrekeys {
  if (!prekey.oneTime) throw new PrekeyError('BAD_PREKEY', 'only a one-time prekey is marked used');
  const id = toHex(prekey.id);
  const prekeys = record.prekeys.filter((bytes) => {
    try {
      return toHex(decodeSignedPrekey(bytes).id) !== id;
    } catch {
      return false;
    }
  });
  return { ...record, prekeys, used: [...record.used, { id, until: prekey.openUntil * 1000 }].slice(-MAX_CONTACT_USED) };
}
