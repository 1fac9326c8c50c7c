import { toHex } from '@herald/core';
import { utf8 } from './bytes.js';
import { encodeChain, type CertificateChain } from './chain.js';
import { sodium } from './sodium.js';
import type { TrustStore } from './store.js';

const MAX_PENDING = 10_000;

/**
 * Whether a recipient may lack our certificate chain: it does until it has
 * acknowledged a message that carried this exact chain (a renewed chain starts
 * over). Sent-but-unacknowledged attachments live in memory; after a restart
 * the chain simply travels once more.
 */
export interface Attachments {
  needed(fingerprints: readonly string[]): boolean;
  sent(id: string, fingerprints: readonly string[]): void;
  acknowledged(id: string, from: string): void;
  load(): Promise<void>;
}

export function attachments(chain: CertificateChain, store: TrustStore, onError: (error: Error) => void): Attachments {
  const name = `holders/${toHex(sodium.crypto_generichash(16, encodeChain(chain), null))}`;
  const holders = new Set<string>();
  const pending = new Map<string, Set<string>>();
  let saving = Promise.resolve();
  return {
    needed: (fingerprints) => fingerprints.some((fingerprint) => !holders.has(fingerprint)),
    sent(id, fingerprints) {
      pending.set(id, new Set(fingerprints));
      if (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value!);
    },
    acknowledged(id, from) {
      const waiting = pending.get(id);
      if (!waiting?.delete(from)) return;
      if (waiting.size === 0) pending.delete(id);
      if (holders.has(from)) return;
      holders.add(from);
      // Losing this write costs one more attachment, nothing else: never block an ack on it.
      const snapshot = utf8(JSON.stringify([...holders]));
      saving = saving.then(() => store.put(name, snapshot)).catch((error: unknown) => onError(error as Error));
    },
    async load() {
      const bytes = await store.get(name);
      if (!bytes) return;
      const list: unknown = JSON.parse(new TextDecoder().decode(bytes));
      if (Array.isArray(list)) for (const item of list) if (typeof item === 'string') holders.add(item);
    },
  };
}
