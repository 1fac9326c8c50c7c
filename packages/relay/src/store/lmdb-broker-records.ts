import { mkdir } from 'node:fs/promises';
import { open, type Database, type RootDatabase } from 'lmdb';
import { freeSpaceGuard } from '@herald/store-lmdb';
import { QueueFullError, type Packet, type QueuedEntry, type Subscription } from '../mqtt/sessions.js';
import type { BrokerRecords } from './broker-records.js';

/** Bytes a queued record takes beyond its payload (key, topic, fields), for the free-space estimate. */
const QUEUED_RECORD_OVERHEAD = 256;

/**
 * The broker's records in their own LMDB environment (`<dataDir>/mqtt`), durable as the mailboxes are: a write
 * resolves once its commit is fsynced. New queued copies are refused before the disk is full, as deposits are:
 * lmdb-js must never meet ENOSPC (see @herald/store-lmdb's free-space.ts).
 */
export async function lmdbBrokerRecords(folder: string, minFreeBytes = 0): Promise<BrokerRecords> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const space = minFreeBytes > 0 ? await freeSpaceGuard(folder, minFreeBytes) : undefined;
  // eventTurnBatching off: with it, a commit failing on a full disk rejects a promise of lmdb-js's own that nobody can observe, and the unhandled rejection kills the relay (see lmdb-store.ts).
  const env: RootDatabase = open({ path: folder, noSubdir: false, overlappingSync: false, noSync: false, useWritemap: false, cache: false, maxDbs: 4, eventTurnBatching: false } as Parameters<typeof open>[0]);
  const subs: Database<Omit<Subscription, 'clientId' | 'topic'>, [string, string]> = env.openDB('subscriptions', {});
  // Each queued copy with its publisher (`from`, charged for it; absent in records of older versions).
  const queued: Database<Packet & { from?: string }, [string, number]> = env.openDB('outgoing', {});
  // When each session's client was last connected: what session expiry counts from. Only clients with a session.
  const seenAt: Database<number, string> = env.openDB('seen', {});
  const done = (): undefined => undefined;
  return {
    async load() {
      const subscriptions = [...subs.getRange({})].map(({ key, value }) => ({ clientId: key[0], topic: key[1], ...value }));
      const entries = [...queued.getRange({})].map(({ key, value }): QueuedEntry => {
        const { from, ...packet } = value;
        return { clientId: key[0], seq: key[1], packet: { ...packet, payload: Buffer.from(value.payload) }, from: from ?? '' };
      });
      const seen = new Map<string, number>();
      for (const { key, value } of seenAt.getRange({})) seen.set(key, value);
      return { subscriptions, queued: entries, seen };
    },
    storeSubscriptions: (clientId, added, removed) =>
      env
        .batch(() => {
          for (const { clientId: _client, topic, ...record } of added) subs.put([clientId, topic], record);
          for (const topic of removed) subs.remove([clientId, topic]);
        })
        .then(done),
    async storeQueued(entries) {
      const bytes = entries.reduce((sum, entry) => sum + entry.packet.payload.length + QUEUED_RECORD_OVERHEAD, 0);
      // A fresh reading each time (one statfs): the broker shares its disk with the mailboxes and anything else.
      if (space && !(await space.check(bytes))) throw new QueueFullError('disk-full', `the broker's disk is nearly full (${space.free ?? 0} bytes free, minFreeBytes ${minFreeBytes})`);
      await env.batch(() => {
        for (const { clientId, seq, packet, from } of entries) queued.put([clientId, seq], { ...packet, from });
      });
    },
    dropQueued: (clientId, seq) => queued.remove([clientId, seq]).then(done),
    storeSeen: (clientId, at) => seenAt.put(clientId, at).then(done),
    dropSeen: (clientId) => seenAt.remove(clientId).then(done),
    close: () => env.close(),
  };
}
