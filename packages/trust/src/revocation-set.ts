import { toHex } from '@herald/core';
import { TrustError } from './errors.js';
import { findRevocation, type RevocationEntry, type RevocationList } from './revocation.js';

/**
 * The newest revocation list held from each authority. A list is taken only if
 * its serial is higher than the one held; an equal serial with other bytes is
 * refused too (an authority never signs two lists under one serial, so that
 * means a mistake or a stolen key). Whether the issuer is trusted at all is
 * the caller's decision (policy.ts).
 */
export interface RevocationSet {
  /** 'updated' when the list replaced an older one (or was the first), 'unchanged' when it is the one held. Throws STALE_REVOCATION_LIST. */
  accept(list: RevocationList): 'updated' | 'unchanged';
  held(issuerKey: Uint8Array): RevocationList | undefined;
  all(): RevocationList[];
  /** The entry revoking `subjectKey` in the list of any of `issuerKeys`. */
  revoked(subjectKey: Uint8Array, issuerKeys: Iterable<Uint8Array>): { entry: RevocationEntry; list: RevocationList } | undefined;
}

export function revocationSet(): RevocationSet {
  const lists = new Map<string, RevocationList>();
  return {
    accept(list) {
      const held = lists.get(toHex(list.issuerKey));
      if (held) {
        if (list.serial < held.serial) throw new TrustError('STALE_REVOCATION_LIST', `revocation list ${list.serial} is older than list ${held.serial} already held from ${list.issuerFingerprint}`);
        if (list.serial === held.serial) {
          if (toHex(list.bytes) === toHex(held.bytes)) return 'unchanged';
          throw new TrustError('STALE_REVOCATION_LIST', `a different revocation list with serial ${list.serial} is already held from ${list.issuerFingerprint}`);
        }
      }
      lists.set(toHex(list.issuerKey), list);
      return 'updated';
    },
    held: (issuerKey) => lists.get(toHex(issuerKey)),
    all: () => [...lists.values()],
    revoked(subjectKey, issuerKeys) {
      for (const issuer of issuerKeys) {
        const list = lists.get(toHex(issuer));
        const entry = list && findRevocation(list, subjectKey);
        if (list && entry) return { entry, list };
      }
      return undefined;
    },
  };
}
