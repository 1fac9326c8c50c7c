import type { JetStreamClient, JetStreamManager, MsgRequest } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { StorageFailure } from '../storage-health.js';
import { DIRECTORY_MAX_ONE_TIME, mergeUpload, type DirectoryPrekey, type DirectoryRecord } from '../prekey-directory.js';
import { decodeOwnerRecord, encodeOwnerRecord, oneTimeHeaders, readOneTime, type OwnerRecord, type StoredOneTime } from './prekey-records.js';
import { publishEntry } from './publish.js';
import { retried } from './retried.js';

/** Where the directory lives (layout.ts): the one-time prekeys' stream and subjects, and the owners' bucket. */
export interface PrekeyLayout {
  readonly manager: JetStreamManager;
  readonly client: JetStreamClient;
  readonly stream: string;
  oneTimeSubject(tag: string): string;
  readonly owners: KV;
  /** The stream under the owners' bucket (`KV_<bucket>`): a stale record is removed by its exact seq. */
  readonly ownersStream: string;
}

/** What a one-time prekey's message costs beyond its bytes (subject, headers, record): counted against maxBytes. */
const ONE_TIME_OVERHEAD = 192;
/** What an owner record's message costs beyond its value. */
const OWNER_OVERHEAD = 128;

const live = (now: number) => (prekey: DirectoryPrekey): boolean => prekey.sealUntil * 1000 > now;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const notFound = (error: unknown): boolean => /no message found|not found/i.test((error as Error).message);

/**
 * The prekey directory in JetStream, shared by every relay of the cluster (docs/operations.md, "Running a relay
 * cluster"). Each mailbox's owner key and medium-term prekeys are one record in a replicated key-value bucket
 * (replaced whole by an upload); each one-time prekey is one message of a replicated stream, on the mailbox's
 * subject. A fetch hands a one-time prekey out only once its own deletion of that message succeeded: the stream
 * leader applies deletions in its Raft log's order, and a second deletion of the same message answers "no
 * message found", so two relays never hand out the same one. (A compare-and-set on the subject's last sequence,
 * KV `update` or Nats-Expected-Last-Subject-Sequence, is checked before the proposal is applied on nats-server 2.9
 * and let two concurrent writers both succeed: see docs/operations.md.) A deletion whose answer was lost is not
 * retried into a second prekey: that prekey is gone, handed to no one, which a sender survives (it seals with the
 * medium-term prekey).
 * The server bounds the one-time prekeys per mailbox (max_msgs_per_subject, the first kept) and, as a backstop,
 * the bytes of each; the directory's total (`maxBytes`) is checked against both before an upload is written.
 */
export function natsPrekeyDirectory(layout: PrekeyLayout, maxBytes: number, timeoutMs: number) {
  const { manager, client, stream } = layout;
  const failure = (what: string) => (error: unknown): never => {
    throw new StorageFailure(false, `${what} in the NATS cluster failed (${(error as Error).message})`, { cause: error });
  };
  const request = <T>(call: () => Promise<T>): Promise<T> => retried(call, timeoutMs, notFound);

  /** The mailbox's owner record and its revision, read from the bucket's leader. */
  const readOwner = async (tag: string): Promise<{ readonly record: OwnerRecord; readonly revision: number; readonly size: number } | undefined> => {
    const entry = await request(() => layout.owners.get(tag)).catch(failure('reading the prekey directory'));
    if (entry === null || entry.operation !== 'PUT') return undefined;
    const record = decodeOwnerRecord(entry.value);
    return record && { record, revision: entry.revision, size: entry.value.length + OWNER_OVERHEAD };
  };

  /** The one-time prekey messages of a mailbox from `seq` on, oldest first; `limit` at most. */
  const readOneTimes = async (tag: string, limit: number, from = 1): Promise<StoredOneTime[]> => {
    const out: StoredOneTime[] = [];
    for (let seq = from; out.length < limit; ) {
      // The server takes next_by_subj on a leader's get (nats-server 2.9 and later); the client types it for direct gets only.
      const query = { next_by_subj: layout.oneTimeSubject(tag), seq } as unknown as MsgRequest;
      const message = await request(() => manager.streams.getMessage(stream, query)).catch(failure('reading the prekey directory'));
      if (message === null) break;
      const stored = readOneTime(message.seq, message.data, message.header);
      if (stored) out.push(stored);
      seq = message.seq + 1;
    }
    return out;
  };

  /** Deletes one message: true when this call removed it, false when it was gone already. */
  const remove = (from: string, seq: number): Promise<boolean> =>
    request(() => manager.streams.deleteMessage(from, seq, false)).catch((error: unknown) => (notFound(error) ? false : failure('removing a prekey')(error)));

  /** The directory's bytes as the cluster's leaders count them. */
  const heldBytes = async (): Promise<number> => {
    const [info, status] = await Promise.all([request(() => manager.streams.info(stream)), request(() => layout.owners.status())]).catch(failure('reading the prekey directory'));
    return info.state.bytes + status.size;
  };

  return {
    async put(tag: string, upload: DirectoryRecord, now: number): Promise<number | 'full'> {
      const owner = hex(upload.owner);
      const held = await readOwner(tag);
      const sameOwner = held !== undefined && hex(held.record.owner) === owner;
      const stored = await readOneTimes(tag, 2 * DIRECTORY_MAX_ONE_TIME);
      const kept = sameOwner ? stored.filter((one) => one.owner === owner && live(now)(one.prekey)).slice(0, DIRECTORY_MAX_ONE_TIME) : [];
      // What the merge drops (expired, another owner's) goes first: it is dead whatever becomes of this upload.
      const keptSeqs = new Set(kept.map((one) => one.seq));
      await Promise.all(stored.filter((one) => !keptSeqs.has(one.seq)).map((one) => remove(stream, one.seq).catch(() => false)));
      const merged = mergeUpload(held && sameOwner ? { ...held.record, oneTime: kept.map((one) => one.prekey) } : undefined, upload, now);
      const fresh = merged.oneTime.slice(kept.length);
      // The record is written again unless the upload leaves it as it is; one without medium-term prekeys always
      // is, so that a fetch removing it as empty (by its seq) meanwhile cannot orphan this upload's one-time prekeys.
      const rewrite = !sameOwner || upload.mediumTerm.length > 0 || merged.mediumTerm.length !== held?.record.mediumTerm.length || merged.mediumTerm.length === 0;
      const record = rewrite ? encodeOwnerRecord(merged) : undefined;
      const growth = fresh.reduce((sum, prekey) => sum + prekey.bytes.length + ONE_TIME_OVERHEAD, 0) + (record ? record.length + OWNER_OVERHEAD - (held?.size ?? 0) : 0);
      if (growth > 0 && (await heldBytes()) + growth > maxBytes) return 'full';
      // One at a time, in order: the first uploaded is the first handed out. Each Nats-Msg-Id names the prekey, so
      // the same upload written through two relays at once is stored once.
      const published: number[] = [];
      // A prekey stored by an earlier upload within the duplicate window and handed out since is not stored again.
      let takenBefore = 0;
      let perMailboxFull = false;
      for (const prekey of fresh) {
        const result = await publishEntry(client, layout.oneTimeSubject(tag), prekey.bytes, `${tag}.${owner.slice(0, 16)}.${prekey.id}`, oneTimeHeaders(owner, prekey), timeoutMs);
        if (result.kind === 'stored') {
          if (!result.ack.duplicate) published.push(result.ack.seq);
          else if ((await request(() => manager.streams.getMessage(stream, { seq: result.ack.seq })).catch(() => undefined)) === null) takenBefore += 1;
          continue;
        }
        // Another relay filled the mailbox's one-time prekeys meanwhile: the ones held first are kept.
        if (result.kind === 'mailbox-full') {
          perMailboxFull = true;
          break;
        }
        await Promise.all(published.map((seq) => remove(stream, seq).catch(() => false)));
        if (result.kind === 'failed') throw new StorageFailure(result.full, result.reason);
        return 'full';
      }
      if (record) {
        const refused = await request(() => layout.owners.put(tag, record)).then(
          () => undefined,
          (error: unknown) => error,
        );
        if (refused !== undefined) {
          await Promise.all(published.map((seq) => remove(stream, seq).catch(() => false)));
          if (/maximum bytes/i.test((refused as Error).message)) return 'full';
          failure('storing prekeys')(refused);
        }
      }
      if (!perMailboxFull) return merged.oneTime.length - takenBefore;
      return (await readOneTimes(tag, 2 * DIRECTORY_MAX_ONE_TIME)).filter((one) => one.owner === owner && live(now)(one.prekey)).length;
    },

    async take(tag: string, now: number): Promise<DirectoryRecord | undefined> {
      const held = await readOwner(tag);
      if (!held) return undefined;
      const owner = hex(held.record.owner);
      const mediumTerm = held.record.mediumTerm.filter(live(now));
      let given: DirectoryPrekey | undefined;
      // The oldest first; one removed by another fetch meanwhile is passed over, as is an expired or stale one (removed).
      for (let from = 1, reads = 0; given === undefined && reads < 4 * DIRECTORY_MAX_ONE_TIME; reads++) {
        const [next] = await readOneTimes(tag, 1, from);
        if (!next) break;
        from = next.seq + 1;
        const usable = next.owner === owner && live(now)(next.prekey);
        if ((await remove(stream, next.seq)) && usable) given = next.prekey;
      }
      if (mediumTerm.length === 0 && !given) {
        // Nothing left to hand out: the record goes, by its exact seq (an upload made meanwhile wrote a newer one, kept).
        await remove(layout.ownersStream, held.revision).catch(() => false);
        return undefined;
      }
      return { owner: held.record.owner, mediumTerm, oneTime: given ? [given] : [] };
    },
  };
}
