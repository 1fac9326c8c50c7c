import { envelopeExpiry, envelopeId, envelopeRoutingTags } from '@herald/core';
import { lmdbRelayStore, resolveRelayInit } from '@herald/relay';

export interface RelayImportOutcome {
  readonly stored: number;
  readonly duplicates: number;
  readonly expired: number;
  readonly tooLarge: number;
  readonly full: number;
}

/**
 * Deposits a bundle's envelopes into a relay's mailboxes, by the routing tags
 * in each header, as if their senders had deposited them: byte-identical
 * copies are stored once (so importing twice changes nothing), expired ones
 * are dropped, and the relay's quotas hold. Run it against a stopped relay:
 * a running one learns of the new mail only when it restarts or the recipient
 * next connects, and keeps its quota counts in memory.
 */
export async function relayImport(path: string, envelopes: readonly Uint8Array[], onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<RelayImportOutcome> {
  const init = resolveRelayInit({ dataDir: path }, 'herald bundle');
  const store = await lmdbRelayStore({ dir: init.dataDir, mapSize: init.mapSize, limits: init });
  let stored = 0;
  let duplicates = 0;
  let expired = 0;
  let tooLarge = 0;
  let full = 0;
  try {
    const now = Date.now();
    const writes: Promise<void>[] = [];
    for (const [index, envelope] of envelopes.entries()) {
      signal?.throwIfAborted();
      const expires = envelopeExpiry(envelope);
      if (expires <= now) expired++;
      else if (envelope.length > init.maxEnvelopeBytes) tooLarge++;
      else {
        const keepUntil = Math.min(expires, now + init.maxRetentionSeconds * 1000);
        const outcome = await store.deposit({ envelope: new Uint8Array(envelope), tags: envelopeRoutingTags(envelope), id: envelopeId(envelope), keepUntil });
        if ('committed' in outcome) writes.push(outcome.committed);
        if (outcome.outcome === 'stored') stored++;
        else if (outcome.outcome === 'duplicate') duplicates++;
        else full++;
      }
      onProgress?.(index + 1, envelopes.length);
    }
    await Promise.all(writes);
  } finally {
    await store.close();
  }
  return { stored, duplicates, expired, tooLarge, full };
}
