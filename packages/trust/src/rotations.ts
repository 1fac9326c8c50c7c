import { toHex, type Card, type ContactResolver } from '@herald/core';
import { decodeRotation, type RotationStatement } from './rotation.js';
import type { TrustStore } from './store.js';

const MAX_HOPS = 16;

/**
 * Rotations learned from contacts: old signing key → statement. A card is
 * sealed to its latest successor; an ack from a successor also counts for
 * every key it succeeded (messages sealed to the old key during the changeover).
 */
export interface RotationBook {
  add(statement: RotationStatement): Promise<boolean>;
  successor(card: Card): Card;
  predecessors(fingerprint: string): string[];
  /** The retired cards, so an ack signed by an old key during the changeover opens even after it left the contacts. */
  readonly resolver: ContactResolver;
  load(): Promise<void>;
}

export function rotationBook(store: TrustStore): RotationBook {
  const byOldKey = new Map<string, RotationStatement>();
  const byNewFingerprint = new Map<string, string[]>();
  const remember = (statement: RotationStatement): void => {
    byOldKey.set(toHex(statement.previous.signingPublicKey), statement);
    const list = byNewFingerprint.get(statement.successor.fingerprint) ?? [];
    if (!list.includes(statement.previous.fingerprint)) list.push(statement.previous.fingerprint);
    byNewFingerprint.set(statement.successor.fingerprint, list);
  };
  return {
    async add(statement) {
      const key = toHex(statement.previous.signingPublicKey);
      const held = byOldKey.get(key);
      if (held && toHex(held.bytes) === toHex(statement.bytes)) return false;
      // A key is succeeded once; a later statement wins only if it is newer (a mistaken rotation redone).
      if (held && held.issued.getTime() >= statement.issued.getTime()) return false;
      await store.put(`rotations/${key}`, statement.bytes);
      remember(statement);
      return true;
    },
    successor(card) {
      let current = card;
      for (let hop = 0; hop < MAX_HOPS; hop++) {
        const next = byOldKey.get(toHex(current.signingPublicKey));
        if (!next) break;
        current = next.successor;
      }
      return current;
    },
    predecessors(fingerprint) {
      const out: string[] = [];
      const queue = [fingerprint];
      while (queue.length > 0 && out.length < MAX_HOPS) {
        for (const previous of byNewFingerprint.get(queue.shift()!) ?? []) {
          if (!out.includes(previous) && previous !== fingerprint) {
            out.push(previous);
            queue.push(previous);
          }
        }
      }
      return out;
    },
    resolver: {
      bySigningKey: (key) => byOldKey.get(toHex(key))?.previous,
      byKeyId: (id) => [...byOldKey.values()].find((statement) => toHex(statement.previous.keyId) === toHex(id))?.previous,
    },
    async load() {
      for (const name of await store.list('rotations')) {
        const bytes = await store.get(name);
        if (bytes) remember(decodeRotation(bytes));
      }
    },
  };
}
