import { toHex, type Card, type ContactResolver } from '@herald/core';
import { decodeChain, encodeChain, type CertificateChain } from './chain.js';
import type { TrustStore } from './store.js';

/**
 * Certificate chains senders carried, by the subject's signing key: once a
 * contact's chain has been verified it need not travel again. Every use
 * re-verifies it (time and revocation change); only decoding is saved.
 */
export interface ChainCache {
  get(signingPublicKey: Uint8Array): CertificateChain | undefined;
  /** Keeps the chain (durably); returns false when the same chain was already held. */
  put(chain: CertificateChain): Promise<boolean>;
  /** Signing keys of every certified sub-authority seen in a cached chain. */
  authorityKeys(): Uint8Array[];
  /** The cards of certified senders, for opening key-id envelopes from them. */
  readonly resolver: ContactResolver;
  load(): Promise<void>;
}

export function chainCache(store: TrustStore): ChainCache {
  const byKey = new Map<string, CertificateChain>();
  const byKeyId = new Map<string, Card>();
  const remember = (chain: CertificateChain): void => {
    const subject = chain[0]!.subject;
    byKey.set(toHex(subject.signingPublicKey), chain);
    byKeyId.set(toHex(subject.keyId), subject);
  };
  return {
    get: (key) => byKey.get(toHex(key)),
    async put(chain) {
      const key = toHex(chain[0]!.subject.signingPublicKey);
      const bytes = encodeChain(chain);
      const held = byKey.get(key);
      if (held && toHex(encodeChain(held)) === toHex(bytes)) return false;
      await store.put(`chains/${key}`, bytes);
      remember(chain);
      return true;
    },
    authorityKeys() {
      const keys = new Map<string, Uint8Array>();
      for (const chain of byKey.values()) for (const certificate of chain) if (certificate.authority) keys.set(toHex(certificate.subject.signingPublicKey), certificate.subject.signingPublicKey);
      return [...keys.values()];
    },
    resolver: {
      bySigningKey: (key) => byKey.get(toHex(key))?.[0]?.subject,
      byKeyId: (id) => byKeyId.get(toHex(id)),
    },
    async load() {
      for (const name of await store.list('chains')) {
        const bytes = await store.get(name);
        if (bytes) remember(decodeChain(bytes).chain);
      }
    },
  };
}
