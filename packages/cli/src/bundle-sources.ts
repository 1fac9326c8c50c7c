import { toHex, type Card, type OutboxRecord } from '@herald/core';
import { envelopeHash, readSpool } from '@herald/courier';
import { lmdbRelayStore, resolveRelayInit } from '@herald/relay';
import { courierSpoolPath } from './courier-spool.js';
import { dataDir } from './data-dir.js';

export interface ExportSelection {
  readonly envelopes: Uint8Array[];
  readonly messages: number;
  readonly spooled: number;
}

const PENDING = new Set(['queued', 'accepted']);

/** Adds an envelope unless identical bytes are already in (a spool copy of an outbox message, a multi-recipient copy). */
function collector(): { add(bytes: Uint8Array): boolean; list: Uint8Array[] } {
  const seen = new Set<string>();
  const list: Uint8Array[] = [];
  return {
    list,
    add(bytes) {
      const hash = envelopeHash(bytes);
      if (seen.has(hash)) return false;
      seen.add(hash);
      list.push(bytes);
      return true;
    },
  };
}

/**
 * What a node's courier carries: its pending outbox messages (queued or
 * accepted, unexpired, not yet acked by the chosen recipients) and whatever
 * waits in its courier spool (acks for messages that came by hand, messages
 * the router sent over bundle:). `recipients` narrows to those cards.
 */
export async function nodeExport(path: string, recipients: readonly Card[] | undefined, signal?: AbortSignal): Promise<ExportSelection> {
  const dir = dataDir(path);
  const store = await dir.openStore();
  const out = collector();
  let messages = 0;
  const now = Date.now();
  const fingerprints = recipients ? new Set(recipients.map((card) => card.fingerprint)) : undefined;
  try {
    const wanted = (record: OutboxRecord): boolean =>
      PENDING.has(record.status) && record.expiresAt > now && record.recipients.some((recipient) => !record.acked.includes(recipient) && (!fingerprints || fingerprints.has(recipient)));
    for (const record of await store.listOutbox()) if (wanted(record) && out.add(record.envelope)) messages++;
  } finally {
    await store.close();
  }
  const tags = recipients ? new Set(recipients.map((card) => toHex(card.routingTag))) : undefined;
  let spooled = 0;
  for (const entry of await readSpool(courierSpoolPath(path), { now, ...(tags ? { tags } : {}), ...(signal ? { signal } : {}) })) if (out.add(entry.bytes)) spooled++;
  return { envelopes: out.list, messages, spooled };
}

/** Everything a relay holds for these routing tags (hex), oldest first per mailbox. */
export async function relayExport(path: string, tags: readonly string[], signal?: AbortSignal): Promise<ExportSelection> {
  const init = resolveRelayInit({ dataDir: path }, 'herald bundle');
  const store = await lmdbRelayStore({ dir: init.dataDir, mapSize: init.mapSize, limits: init });
  const out = collector();
  try {
    for (const tag of tags) {
      signal?.throwIfAborted();
      // Copied at once: the bytes come straight out of the memory map.
      for (const entry of await store.list(tag, init.mailboxMaxEnvelopes, () => false)) out.add(new Uint8Array(entry.bytes));
    }
  } finally {
    await store.close();
  }
  return { envelopes: out.list, messages: out.list.length, spooled: 0 };
}
