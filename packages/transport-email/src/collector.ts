import type { ImapFlow, SearchObject } from 'imapflow';
import { boundedMap, envelopeId, refusalBackoff, TransportError, type InboundEnvelope } from '@herald/core';
import type { HealthTracker } from './health.js';
import type { ResolvedEmailInit } from './init.js';
import { mapImapError } from './imap-errors.js';
import { envelopeFromText, tagsOf, TEXT_ALLOWANCE } from '@herald/protocol';
import { envelopeCandidates, type Candidate } from './candidates.js';

/** Rejects when `promise` has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Per-mail memories never hold more entries than this. */
const MEMORY_LIMIT = 20_000;

export interface Collector {
  /** Examines the mailbox once on this connection: new mail is downloaded, recognised and handed to the node. */
  scan(client: ImapFlow, uidValidity: string): Promise<void>;
  /** Resolves once every delivery in flight (with its marking on the server) has finished. */
  drain(): Promise<void>;
  readonly inFlight: number;
  /**
   * Recognises mail for `tags` from the next scan on. A dropped tag is still recognised until drained: the second
   * scan begun after the update has examined every mail in the mailbox, and the deliveries under way then are done.
   * The promise says when.
   */
  update(tags: readonly string[]): Promise<void>;
}

/** Tags dropped by an update, recognised until the second whole scan begun after it (and its deliveries) is done. */
interface Drain {
  readonly tags: ReadonlySet<string>;
  readonly scansBefore: number;
  readonly done: () => void;
}

/**
 * The receiving half's bookkeeping. A mail moves through: examined (not ours →
 * remembered and never touched again) → downloaded → offered to the node →
 * once `deliver` resolved, marked processed on the server (deleted, flagged
 * or moved). If marking fails (connection lost), the mail is remembered as
 * delivered with its envelope id, and the next scan that finds that envelope
 * under that UID only marks it: it is not offered again by this process. After a crash between `deliver` and marking, the mail is offered
 * again, and the node recognises the duplicate by its id.
 */
export function collector(init: ResolvedEmailInit, health: HealthTracker, initialTags: readonly string[], deliver: (envelope: InboundEnvelope) => Promise<void>, isRunning: () => boolean): Collector {
  let tags = new Set(initialTags);
  const drains: Drain[] = [];
  let scansStarted = 0;
  const recognised = (tag: string): boolean => tags.has(tag) || drains.some((drain) => drain.tags.has(tag));
  /** Ends the drains a whole scan (number `scan`) begun after them has served, once the deliveries under way are done. */
  const settleDrains = (scan: number): void => {
    const served = drains.filter((drain) => drain.scansBefore < scan);
    if (served.length === 0) return;
    for (const drain of served) drains.splice(drains.indexOf(drain), 1);
    void Promise.allSettled([...inFlight.values()]).then(() => served.forEach((drain) => drain.done()));
  };
  const notOurs = boundedMap<true>(MEMORY_LIMIT);
  // Mails handed to the node (and marked, or to be marked), with the id of the envelope each carried.
  const delivered = boundedMap<string>(MEMORY_LIMIT);
  const retry = refusalBackoff(Math.min(1000, init.pollIntervalMs), Math.max(60_000, init.pollIntervalMs), MEMORY_LIMIT);
  const inFlight = new Map<string, Promise<void>>();
  let validity: string | undefined;
  const report = (message: string, cause?: unknown): void => health.error(new Error(`${init.name}: ${message}`, cause === undefined ? undefined : { cause }));

  const query = (client: ImapFlow): SearchObject => {
    const { processed } = init;
    // Delete mode looks at mail already flagged \Deleted too: a connection lost between STORE and EXPUNGE
    // leaves our mail flagged but not expunged, and the next scan finishes the job. Without UIDPLUS the
    // \Deleted flag is all we may set, so flagged mail counts as done.
    if (processed.action === 'delete') return canExpungeOne(client) ? { all: true } : { deleted: false };
    if (processed.action === 'move') return { deleted: false };
    if (processed.flag === '\\Seen') return { deleted: false, seen: false };
    if (processed.flag === '\\Flagged') return { deleted: false, flagged: false };
    return { deleted: false, unKeyword: processed.flag ?? '\\Seen' };
  };

  /** UID EXPUNGE (UIDPLUS) removes exactly one mail; a plain EXPUNGE would also remove other people's \\Deleted mail. */
  const canExpungeOne = (client: ImapFlow): boolean => client.capabilities.has('UIDPLUS');

  async function mark(client: ImapFlow, uid: number): Promise<void> {
    const { processed } = init;
    const range = String(uid);
    let done: unknown;
    if (processed.action === 'delete') done = canExpungeOne(client) ? await client.messageDelete(range, { uid: true }) : await client.messageFlagsAdd(range, ['\\Deleted'], { uid: true });
    else if (processed.action === 'flag') done = await client.messageFlagsAdd(range, [processed.flag ?? '\\Seen'], { uid: true });
    else if (client.capabilities.has('MOVE') || canExpungeOne(client)) done = await client.messageMove(range, processed.mailbox, { uid: true });
    else {
      // Without MOVE and UIDPLUS imapflow would emulate the move with a plain EXPUNGE, which also removes other
      // people's \Deleted mail: copy, then only flag ours \Deleted (scans skip it; the owner's client expunges).
      done = await client.messageCopy(range, processed.mailbox, { uid: true });
      if (done !== false) done = await client.messageFlagsAdd(range, ['\\Deleted'], { uid: true });
    }
    // imapflow answers a refused command with false rather than an exception.
    if (done === false) throw new Error(`the server refused to mark mail ${uid} (${processed.action})`);
  }

  async function settle(client: ImapFlow, key: string, uid: number, id: string): Promise<void> {
    // Remembered before and after marking: a SEARCH answered just before the marking may still list it, and a
    // failed marking is retried by the next scan that finds the same envelope under this UID.
    delivered.set(key, id);
    try {
      // Bounded: a command on a connection that died silently must not hold a delivery slot forever.
      await within(mark(client, uid), init.timeoutMs, 'marking');
    } catch (error) {
      health.error(mapImapError(error, init.name, `marking delivered mail ${uid} as processed failed, retried on the next scan`));
    }
  }

  async function download(client: ImapFlow, uid: number, candidate: Candidate): Promise<Uint8Array | undefined> {
    const limit = candidate.kind === 'binary' ? init.maxEnvelopeBytes + 1 : candidate.size + TEXT_ALLOWANCE;
    const found = await client.download(String(uid), candidate.part, { uid: true, maxBytes: limit });
    // imapflow answers a download on a connection that just closed with an empty object rather than an error:
    // that says nothing about the mail, and taking it for 'not ours' would leave it unread until a restart.
    if (!client.usable) throw new Error(`the connection was lost before mail ${uid} was downloaded`);
    if (!('content' in found) || !found.content) return undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of found.content as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) return undefined;
      chunks.push(chunk);
    }
    // A stream cut by a lost connection can end early without an error: such bytes prove nothing either way.
    if (!client.usable) throw new Error(`the connection was lost while downloading mail ${uid}`);
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
        health.error(new TransportError('CHANNEL_TOO_SMALL', init.name, `skipped mail ${uid}: its envelope exceeds maxEnvelopeBytes (${init.maxEnvelopeBytes}); left on the server`, { retryable: false }));
        return undefined;
      }
      const found = tagsOf(bytes);
      if (found && found.some(recognised)) return bytes;
    }
    return undefined;
  }

  function offer(client: ImapFlow, key: string, uid: number, bytes: Uint8Array, id: string): void {
    const receivedAt = Date.now();
    const job = deliver({ bytes, channel: init.name, receivedAt })
      .then(
        async () => {
          retry.cleared(key);
          health.moved(receivedAt);
          // Only now, with the envelope stored durably by the node, may the mail leave the mailbox.
          await settle(client, key, uid, id);
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
      const scan = ++scansStarted;
      const found = await client.search(query(client), { uid: true });
      const uids = Array.isArray(found) ? found : [];
      const now = Date.now();
      const fresh: number[] = [];
      for (const uid of uids) {
        const key = `${uidValidity}:${uid}`;
        if (!notOurs.get(key) && !inFlight.has(key) && !retry.blocked(key, now)) fresh.push(uid);
        if (fresh.length >= init.maxMessagesPerScan) break;
      }
      // Every mail examined, unless the scan was capped (the rest waits for the next) or is cut short below.
      const whole = fresh.length < init.maxMessagesPerScan;
      if (!isRunning()) return;
      if (fresh.length === 0) return settleDrains(scan);
      // Structures first, in one FETCH: a mail that cannot hold an envelope is never downloaded.
      const structures = await client.fetchAll(fresh.join(','), { uid: true, bodyStructure: true }, { uid: true });
      for (const message of structures) {
        if (!isRunning()) return;
        const key = `${uidValidity}:${message.uid}`;
        const candidates = envelopeCandidates(message.bodyStructure, init.maxEnvelopeBytes);
        const bytes = candidates.length === 0 ? undefined : await recognise(client, message.uid, candidates);
        if (!bytes) {
          // Judged on a connection that is still there: a scan cut short proves nothing about the rest of the mail.
          if (!client.usable) throw new Error(`the connection was lost while examining mail ${message.uid}`);
          notOurs.set(key, true);
          continue;
        }
        const id = envelopeId(bytes);
        // Delivered before under this UID (its marking failed or raced this scan): only the marking is due. A
        // different envelope under a remembered UID (a server that reused UIDs) is new mail and is offered.
        if (delivered.get(key) === id) {
          await settle(client, key, message.uid, id);
          continue;
        }
        await slot();
        if (!isRunning()) return;
        offer(client, key, message.uid, bytes, id);
      }
      if (whole) settleDrains(scan);
    },
    update(next) {
      const before = tags;
      tags = new Set(next);
      // Mail judged not ours may be for an added tag.
      if ([...tags].some((tag) => !before.has(tag))) notOurs.clear();
      const dropped = new Set([...before].filter((tag) => !tags.has(tag)));
      if (dropped.size === 0) return Promise.resolve();
      // Not the first scan after the update but the second: IMAP shows a session only mail the server has announced
      // (EXISTS), and a SEARCH is what makes it announce mail delivered meanwhile, so the first may miss some.
      return new Promise<void>((done) => drains.push({ tags: dropped, scansBefore: scansStarted + 1, done }));
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled(inFlight.values());
    },
  };
}
