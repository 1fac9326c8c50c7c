import { randomBytes } from 'node:crypto';
import { OptionsError } from '@herald/core';
import { jetstream, type JsMsg, type MsgRequest, type StoredMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { sodium } from '../../sodium.js';
import type { DepositOutcome, DepositRequest, EntryCharge, MailEntry, RelayStore, RelayStoreInit } from '../relay-store.js';
import { StorageFailure, storageHealth } from '../storage-health.js';
import { DIRECTORY_MAX_BYTES } from '../prekey-directory.js';
import { collectedMailboxes } from './collected.js';
import { openNatsConnection } from './connection.js';
import { entryHeaders, readEntryHeader } from './entry-headers.js';
import { openLayout } from './layout.js';
import { natsPrekeyDirectory } from './prekeys.js';
import { resolveNatsStoreOptions, type NatsStoreOptions } from './options.js';
import { publishEntry, type PublishResult } from './publish.js';
import { removalNotices } from './removals.js';
import { retried } from './retried.js';
import { sharedRelayId } from './relay-id.js';
import { tailStream } from './tail.js';
import { streamView } from './view.js';

export interface NatsRelayStoreInit extends RelayStoreInit {
  /** The cluster and how to reach it (options.ts). */
  readonly nats: NatsStoreOptions;
  /** The longest any entry is kept: the stream's max_age, a backstop to expiry. Default 30 days. */
  readonly maxRetentionSeconds?: number;
  /**
   * Where this relay's embedded MQTT broker keeps its sessions, on local disk (LMDB): an MQTT session lives on the
   * one broker its client connects to, so it is not shared. Default: none, and the relay cannot run the broker.
   */
  readonly brokerDir?: string;
}

/** The relay store over a NATS JetStream cluster, shared by every relay process given the same cluster and name. */
export interface NatsRelayStore extends RelayStore {
  /**
   * Tells `listener` of each entry deposited through another relay of the cluster, once it is stored: so that a
   * recipient connected here gets it at once.
   */
  onArrival(listener: (entry: MailEntry) => void): void;
}

/** Deletions of expired entries under way at once. */
const EXPIRE_PARALLEL = 64;

/**
 * Opens the store: connects (with backoff), creates or updates the stream and buckets (layout.ts), and reads the
 * whole mail stream once into this relay's view before it resolves. A deposit is `stored` only after JetStream
 * acknowledged every entry with the configured replicas, so `committed` is settled when it is returned.
 */
export async function natsRelayStore(init: NatsRelayStoreInit): Promise<NatsRelayStore> {
  const options = resolveNatsStoreOptions(init.nats, 'store');
  const { limits } = init;
  const health = init.health ?? storageHealth(5_000, () => undefined);
  const connection = await openNatsConnection(options, {
    lost: (reason) => health.failed(new StorageFailure(false, reason), Date.now()),
    restored: () => health.committed(),
  });
  try {
    return await openStore(connection);
  } catch (error) {
    await connection.close();
    if (error instanceof OptionsError) throw error;
    throw new OptionsError(`store: the NATS cluster at ${options.servers.join(',')} did not answer JetStream's requests within ${options.connectTimeoutMs} ms (${(error as Error).message})`, { cause: error });
  }

  /** A start-up request, retried through a leader election (a node down) until connectTimeoutMs. */
  function starting<T>(request: () => Promise<T>): Promise<T> {
    return retried(request, options.connectTimeoutMs, (error) => error instanceof OptionsError);
  }

  async function openStore(connection: NatsConnection): Promise<NatsRelayStore> {
    const layout = await starting(() => openLayout(connection, options.name, options.replicas, { ...limits, maxRetentionSeconds: init.maxRetentionSeconds ?? 30 * 86_400, duplicateWindowMs: options.duplicateWindowMs }, options.sourceDomains, options.sources));
    const relayId = await starting(() => sharedRelayId(layout.meta));
    const collected = collectedMailboxes(layout.collected);
    const client = jetstream(connection, { timeout: options.requestTimeoutMs });
    const view = streamView(limits);
    const directory = natsPrekeyDirectory({ ...layout.prekeys, manager: layout.manager, client }, limits.directoryMaxBytes ?? DIRECTORY_MAX_BYTES, options.requestTimeoutMs);
    const watchesCollection = [limits.uncollectedMailboxMaxEnvelopes, limits.uncollectedMailboxMaxBytes, limits.uncollectedRetentionSeconds].some((value) => value !== undefined);
    const listeners: ((entry: MailEntry) => void)[] = [];
    /** This relay's deposits being stored, by mailbox and hash: who pays, and the deposit's end (a repeat waits for it). */
    const depositing = new Map<string, { readonly payer: EntryCharge | undefined; readonly done: Promise<unknown> }>();
    const msgIdOf = (tag: string, hash: string): string => `${tag}.${hash}`;
    /**
     * Each deposit's Nats-Msg-Id is new (the mailbox, the hash and a deposit number): its retries within
     * JetStream's duplicate window are stored once, while the same bytes deposited again after their entry was
     * acknowledged are a new entry, as the contract asks.
     */
    let depositNumber = 0;
    const instance = randomBytes(6).toString('hex');

    const onMessage = (message: JsMsg): void => {
      const tag = layout.tagOf(message.subject);
      const header = readEntryHeader(message.headers);
      if (tag !== undefined && header !== undefined) {
        const own = depositing.get(msgIdOf(tag, header.hash));
        const learned = view.learn({ ...header, tag, seq: message.seq, size: message.data.length }, own?.payer);
        // Deposits made here are offered by their own connection; others' are news to recipients connected here.
        if (learned && own === undefined) {
          const entry: MailEntry = { tag, seq: message.seq, key: `${tag}:${message.seq}`, bytes: message.data, depositedAt: header.depositedAt };
          for (const listener of listeners) {
            try {
              listener(entry);
            } catch {
              // A listener's fault must not stop the tail: the entry stays listed for the pump to find.
            }
          }
        }
      }
    };
    // Removal notices first: one sent while the mail stream is being read must not be missed.
    const notices = await starting(() => removalNotices(connection, layout.manager, options.name, options.replicas, (tag, seq) => void view.forget(tag, seq)));
    const lastSeq = (await starting(() => layout.manager.streams.info(layout.mailStream))).state.last_seq;
    // The server's message get takes next_by_subj (nats-server 2.9 and later); the client types it for direct gets only.
    const firstFrom = async (seq: number): Promise<number | undefined> => (await layout.manager.streams.getMessage(layout.mailStream, { next_by_subj: layout.anyMail, seq } as unknown as MsgRequest))?.seq;
    const tail = await starting(() => tailStream(connection, layout.mailStream, { lastSeq, firstFrom }, onMessage));
    await tail.loaded;

    /**
     * Reads one stored message from the stream's leader (never a replica, which may not have caught up yet): null
     * when the stream holds none of that seq (removed), and a StorageFailure when the cluster did not answer.
     */
    const read = (seq: number): Promise<StoredMsg | null> =>
      retried(() => layout.manager.streams.getMessage(layout.mailStream, { seq }), options.requestTimeoutMs, () => false).catch((error: unknown) => {
        throw new StorageFailure(false, `reading an entry from the NATS cluster failed (${(error as Error).message})`, { cause: error });
      });

    /** Whether the stream still holds this entry; when the cluster does not answer, assumed so. Forgotten if not. */
    const stillHeld = async (tag: string, seq: number): Promise<boolean> => {
      const held = await read(seq).then((message) => message !== null && layout.tagOf(message.subject) === tag, () => true);
      if (!held) view.forget(tag, seq);
      return held;
    };

    /**
     * Removes entries from the stream; an entry already gone (removed through another relay) counts as removed by
     * none. An entry this relay does not know is looked up first, and left alone unless it is of that mailbox.
     */
    const removeEntries = async (entries: readonly (readonly [string, number])[]): Promise<number> => {
      const removed = await Promise.all(
        entries.map(async ([tag, seq]) => {
          if (view.index.get(tag, seq) === undefined) {
            const held = await read(seq);
            if (held === null || layout.tagOf(held.subject) !== tag) return false;
          }
          const gone = await retried(() => layout.manager.streams.deleteMessage(layout.mailStream, seq, false), options.requestTimeoutMs, (error) => /no message found/i.test((error as Error).message)).catch((error: unknown) => {
            if (/no message found/i.test((error as Error).message)) return false;
            throw new StorageFailure(false, `removing an entry from the NATS cluster failed (${(error as Error).message})`, { cause: error });
          });
          view.forget(tag, seq);
          return gone;
        }),
      );
      notices.announce(entries.filter((_, position) => removed[position]));
      return removed.filter(Boolean).length;
    };

    /** A deposit whose mailboxes (`claimed`: not being stored by another deposit here) are this call's to store. */
    const depositClaimed = async ({ envelope, id, keepUntil, payer }: DepositRequest, hash: string, claimed: readonly string[], earlier: readonly Promise<unknown>[]): Promise<DepositOutcome> => {
      const size = envelope.length;
      // A copy in the view may have been removed through another relay a moment ago: the stream says.
      const checked = await Promise.all(claimed.map(async (tag) => {
        const copy = view.copyOf(tag, id, hash);
        return copy === undefined || !(await stillHeld(tag, copy)) ? tag : undefined;
      }));
      const fresh = checked.filter((tag) => tag !== undefined);
      if (fresh.length === 0) return { outcome: 'duplicate', committed: Promise.all(earlier).then(() => undefined) };
      const now = Date.now();
      const failure = health.refusal(now);
      if (failure) return { outcome: 'storage-failed', failure };
      const uncollected = new Set(watchesCollection ? (await Promise.all(fresh.map(async (tag) => ((await collected.has(tag)) ? undefined : tag)))).filter((tag) => tag !== undefined) : []);
      const reserved = view.counts.reserve(fresh, size, (tag) => uncollected.has(tag));
      if (reserved !== 'ok') return { outcome: reserved };
      const shortKeepUntil = limits.uncollectedRetentionSeconds === undefined ? keepUntil : Math.min(keepUntil, now + limits.uncollectedRetentionSeconds * 1000);
      const attempt = ++depositNumber;
      const results = await Promise.all(
        fresh.map(async (tag) => {
          const header = { id, keepUntil: uncollected.has(tag) ? shortKeepUntil : keepUntil, hash, depositedAt: now };
          const result = await publishEntry(client, layout.subjectOf(tag), envelope, `${msgIdOf(tag, hash)}.${instance}.${attempt}`, entryHeaders(header), options.requestTimeoutMs);
          return { tag, header, result };
        }),
      );
      // The reservation held the room while the entries were written; learning them (here or by the tail) counts them.
      view.counts.release(fresh, size);
      const acked = results.flatMap(({ tag, header, result }) => (result.kind === 'stored' ? [{ tag, header, seq: result.ack.seq }] : []));
      const refused = results.map(({ result }) => result).find((result): result is Exclude<PublishResult, { kind: 'stored' }> => result.kind !== 'stored');
      if (refused) {
        // In all mailboxes or in none: the entries stored already are taken back (learned first, so that
        // forgetting them uncounts them once).
        for (const { tag, header, seq } of acked) view.learn({ ...header, tag, seq, size }, payer);
        await removeEntries(acked.map(({ tag, seq }) => [tag, seq])).catch(() => undefined);
        if (refused.kind !== 'failed') return { outcome: refused.kind };
        const failed = new StorageFailure(refused.full, refused.reason);
        health.failed(failed, Date.now());
        return { outcome: 'storage-failed', failure: failed };
      }
      health.committed();
      // Learned now, unless the tail read them first; the tail, reading them later, leaves them be (and does
      // not bring one back that was acknowledged and removed meanwhile: view.ts).
      const entries: MailEntry[] = [];
      for (const { tag, header, seq } of acked) {
        const learnedHere = view.learn({ ...header, tag, seq, size }, payer);
        if (!learnedHere && view.index.get(tag, seq) === undefined) continue;
        entries.push({ tag, seq, key: `${tag}:${seq}`, bytes: envelope, depositedAt: now });
      }
      // Durable now; a mailbox whose copy another deposit here is still storing waits for that one.
      return { outcome: 'stored', entries, committed: Promise.all(earlier).then(() => undefined) };
    };

    const store: NatsRelayStore = {
      relayId,
      usage: view.counts,
      onArrival: (listener) => void listeners.push(listener),
      async deposit(request): Promise<DepositOutcome> {
        const hash = sodium.crypto_generichash(16, request.envelope, null, 'hex');
        const earlier: Promise<unknown>[] = [];
        // Claimed at once, before any wait: a repeat of these bytes arriving meanwhile waits for this deposit.
        const claimed = [...new Set(request.tags)].filter((tag) => {
          const underway = depositing.get(msgIdOf(tag, hash));
          if (underway) earlier.push(underway.done);
          return underway === undefined;
        });
        let finish!: () => void;
        const done = new Promise<void>((resolve) => (finish = resolve));
        for (const tag of claimed) depositing.set(msgIdOf(tag, hash), { payer: request.payer, done });
        try {
          return await depositClaimed(request, hash, claimed, earlier);
        } finally {
          for (const tag of claimed) depositing.delete(msgIdOf(tag, hash));
          finish();
        }
      },
      hold: () => false,
      async list(tag, limit, skip) {
        const candidates = [...view.seqs(tag)].sort((a, b) => a - b).filter((seq) => !skip(`${tag}:${seq}`));
        const out: MailEntry[] = [];
        // Read in rounds of what is still wanted: entries found gone (removed through another relay) are forgotten.
        while (out.length < limit && candidates.length > 0) {
          const round = candidates.splice(0, limit - out.length);
          // An entry the cluster did not answer for is left out of this listing, not forgotten: listed next time.
          const messages = await Promise.all(round.map((seq) => read(seq).catch(() => undefined)));
          messages.forEach((message, position) => {
            const seq = round[position]!;
            if (message === undefined) return;
            if (message === null || layout.tagOf(message.subject) !== tag) return void view.forget(tag, seq);
            out.push({ tag, seq, key: `${tag}:${seq}`, bytes: message.data, depositedAt: view.index.get(tag, seq)?.depositedAt });
          });
        }
        return out;
      },
      async ack(tag, seq) {
        await removeEntries([[tag, seq]]);
        return false;
      },
      async expire(now, limit) {
        const due = view.index.due(now, limit);
        let removed = 0;
        for (let start = 0; start < due.length; start += EXPIRE_PARALLEL) {
          removed += await removeEntries(due.slice(start, start + EXPIRE_PARALLEL).map((entry) => [entry.tag, entry.seq]));
        }
        return removed;
      },
      markCollected: (tags) => collected.mark(tags),
      putPrekeys: (tag, upload, now) => directory.put(tag, upload, now),
      takePrekeys: (tag, now) => directory.take(tag, now),
      async openBrokerRecords() {
        if (init.brokerDir === undefined) throw new OptionsError('mqtt: a relay on a NATS store keeps its broker sessions on local disk: give it dataDir too');
        const { lmdbBrokerRecords } = await import('../lmdb-broker-records.js');
        return lmdbBrokerRecords(init.brokerDir, limits.minFreeBytes ?? 0);
      },
      async close() {
        await tail.stop();
        await notices.stop();
        await connection.drain().catch(() => connection.close());
      },
    };
    return store;
  }
}
