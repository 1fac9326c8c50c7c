import type { ImapFlow, SearchObject } from 'imapflow';
import type { InboundEnvelope } from '@herald/core';
import type { HealthTracker } from './health.js';
import type { ResolvedEmailInit } from './init.js';
import { backoff, boundedMap } from './memory.js';
import { envelopeCandidates, envelopeFromText, tagsOf, TEXT_ALLOWANCE, type Candidate } from './recognize.js';

/** Per-mail memories never hold more entries than this. */
const MEMORY_LIMIT = 20_000;

export interface Collector {
  /** Examines the mailbox once on this connection: new mail is downloaded, recognised and handed to the node. */
  scan(client: ImapFlow, uidValidity: string): Promise<void>;
  /** Resolves once every delivery in flight (with its marking on the server) has finished. */
  drain(): Promise<void>;
  readonly inFlight: number;
}

/**
 * The receiving half's bookkeeping. A mail moves through: examined (not ours →
 * remembered and never touched again) → downloaded → offered to the node →
 * once `deliver` resolved, marked processed on the server (deleted, flagged
 * or moved). If marking fails (connection lost), the mail is remembered as
 * delivered and only the marking is retried: it is not offered again by this
 * process. After a crash between `deliver` and marking, the mail is offered
 * again, and the node recognises the duplicate by its id.
 */
export function collector(init: ResolvedEmailInit, health: HealthTracker, tags: ReadonlySet<string>, deliver: (envelope: InboundEnvelope) => Promise<void>, isRunning: () => boolean): Collector {
  const notOurs = boundedMap<true>(MEMORY_LIMIT);
  const delivered = boundedMap<true>(MEMORY_LIMIT);
  const retry = backoff(Math.min(1000, init.pollIntervalMs), Math.max(60_000, init.pollIntervalMs), MEMORY_LIMIT);
  const inFlight = new Map<string, Promise<void>>();
  let validity: string | undefined;
  const report = (message: string, cause?: unknown): void => health.error(new Error(`${init.name}: ${message}`, cause === undefined ? undefined : { cause }));

  const query = (): SearchObject => {
    const { processed } = init;
    if (processed.action !== 'flag') return { deleted: false };
    if (processed.flag === '\\Seen') return { deleted: false, seen: false };
    if (processed.flag === '\\Flagged') return { deleted: false, flagged: false };
    return { deleted: false, unKeyword: processed.flag ?? '\\Seen' };
  };

  async function mark(client: ImapFlow, uid: number): Promise<void> {
    const { processed } = init;
    if (processed.action === 'delete') await client.messageDelete(String(uid), { uid: true });
    else if (processed.action === 'flag') await client.messageFlagsAdd(String(uid), [processed.flag ?? '\\Seen'], { uid: true });
    else await client.messageMove(String(uid), processed.mailbox, { uid: true });
  }

  async function settle(client: ImapFlow, key: string, uid: number): Promise<void> {
    try {
      await mark(client, uid);
      // Kept after marking too: a SEARCH answered just before the marking may still list it.
      delivered.set(key, true);
    } catch (error) {
      delivered.set(key, true);
      report(`marking delivered mail ${uid} as processed failed; retrying on the next scan`, error);
    }
  }

  async function download(client: ImapFlow, uid: number, candidate: Candidate): Promise<Uint8Array | undefined> {
    const limit = candidate.kind === 'binary' ? init.maxEnvelopeBytes + 1 : candidate.size + TEXT_ALLOWANCE;
    const found = await client.download(String(uid), candidate.part, { uid: true, maxBytes: limit });
    if (!('content' in found) || !found.content) return undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of found.content as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) return undefined;
      chunks.push(chunk);
    }
    const bytes = Buffer.concat(chunks);
    if (candidate.kind === 'text') return envelopeFromText(bytes.toString('utf8'));
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The envelope this mail carries for one of our tags, or undefined when it is not ours. */
  async function recognise(client: ImapFlow, uid: number, candidates: readonly Candidate[]): Promise<Uint8Array | undefined> {
    for (const candidate of candidates) {
      const bytes = await download(client, uid, candidate);
      if (!bytes) continue;
      if (bytes.length > init.maxEnvelopeBytes) {
        report(`skipped mail ${uid}: its envelope exceeds maxEnvelopeBytes (${init.maxEnvelopeBytes}); left on the server`);
        return undefined;
      }
      const found = tagsOf(bytes);
      if (found && found.some((tag) => tags.has(tag))) return bytes;
    }
    return undefined;
  }

  function offer(client: ImapFlow, key: string, uid: number, bytes: Uint8Array): void {
    const receivedAt = Date.now();
    const job = deliver({ bytes, channel: init.name, receivedAt })
      .then(
        async () => {
          retry.cleared(key);
          health.moved(receivedAt);
          // Only now, with the envelope stored durably by the node, may the mail leave the mailbox.
          await settle(client, key, uid);
        },
        (error: unknown) => {
          const delay = retry.failed(key, Date.now());
          report(`the node did not take mail ${uid}; offering it again in ${delay} ms or later`, error);
        },
      )
      .finally(() => inFlight.delete(key));
    inFlight.set(key, job);
  }

  async function slot(): Promise<void> {
    while (inFlight.size >= init.maxDeliveriesInFlight) await Promise.race(inFlight.values());
  }

  return {
    get inFlight() {
      return inFlight.size;
    },
    async scan(client, uidValidity) {
      if (validity !== uidValidity) {
        // A new UIDVALIDITY renumbers the mailbox: what we knew by UID no longer applies.
        validity = uidValidity;
        notOurs.clear();
        delivered.clear();
      }
      const found = await client.search(query(), { uid: true });
      const uids = Array.isArray(found) ? found : [];
      const now = Date.now();
      const fresh: number[] = [];
      const unmarked: number[] = [];
      for (const uid of uids) {
        const key = `${uidValidity}:${uid}`;
        if (delivered.get(key)) unmarked.push(uid);
        else if (!notOurs.get(key) && !inFlight.has(key) && !retry.blocked(key, now)) fresh.push(uid);
        if (fresh.length >= init.maxMessagesPerScan) break;
      }
      for (const uid of unmarked) if (isRunning()) await settle(client, `${uidValidity}:${uid}`, uid);
      if (fresh.length === 0 || !isRunning()) return;
      // Structures first, in one FETCH: a mail that cannot hold an envelope is never downloaded.
      const structures = await client.fetchAll(fresh.join(','), { uid: true, bodyStructure: true }, { uid: true });
      for (const message of structures) {
        if (!isRunning()) return;
        const key = `${uidValidity}:${message.uid}`;
        const candidates = envelopeCandidates(message.bodyStructure, init.maxEnvelopeBytes);
        const bytes = candidates.length === 0 ? undefined : await recognise(client, message.uid, candidates);
        if (!bytes) {
          notOurs.set(key, true);
          continue;
        }
        await slot();
        if (!isRunning()) return;
        offer(client, key, message.uid, bytes);
      }
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled(inFlight.values());
    },
  };
}
