import { HeraldError } from '@herald/core';

/**
 * The relay's prekey directory (docs/relay-protocol.md 4.3), as the stores keep it: per mailbox, the owner's
 * signed prekeys as opaque bytes with the two fields the relay needs (id, sealUntil). The relay verified every
 * prekey against the owner's key before storing it; the store only merges, bounds and hands them out.
 */
export interface DirectoryPrekey {
  /** The prekey's id (hex): one-time prekeys are deduplicated by it. */
  readonly id: string;
  /** Seconds since the epoch: not handed out after it. */
  readonly sealUntil: number;
  /** The signed prekey as its owner encoded it (docs/protocol.md 16). */
  readonly bytes: Uint8Array;
}

export interface DirectoryRecord {
  /** The owner's Ed25519 signing public key. */
  readonly owner: Uint8Array;
  readonly mediumTerm: readonly DirectoryPrekey[];
  readonly oneTime: readonly DirectoryPrekey[];
}

/** One-time prekeys the directory holds per mailbox at most: past it an upload's extra ones are not kept. */
export const DIRECTORY_MAX_ONE_TIME = 100;
/** Medium-term prekeys held per mailbox (the current ones of each kind and their predecessors). */
export const DIRECTORY_MAX_MEDIUM_TERM = 4;

/**
 * Bytes of prekeys the whole directory holds at most (about 500 full mailboxes of X-Wing prekeys, far more of
 * medium-term ones alone): identities cost nothing to make, so without a total the directory could fill the
 * relay's disk and stop deposits. An upload that would pass it is refused (the relay answers RELAY_FULL).
 */
export const DIRECTORY_MAX_BYTES = 64 * 1024 * 1024;

/** What a record counts against {@link DIRECTORY_MAX_BYTES}: its prekeys' bytes and a little per prekey. */
export function recordBytes(record: DirectoryRecord | undefined): number {
  if (!record) return 0;
  return [...record.mediumTerm, ...record.oneTime].reduce((sum, prekey) => sum + prekey.bytes.length + 32, record.owner.length);
}

/** The store keeps no prekey directory (docs/errors.md NO_DIRECTORY): the relay answers NO_DIRECTORY. */
export class DirectoryUnsupportedError extends HeraldError<'NO_DIRECTORY'> {
  override readonly name = 'DirectoryUnsupportedError';
  constructor(store: string) {
    super('NO_DIRECTORY', `the ${store} relay store keeps no prekey directory`, { retryable: false });
  }
}

const live = (now: number) => (prekey: DirectoryPrekey): boolean => prekey.sealUntil * 1000 > now;
const sameKey = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, index) => byte === b[index]);

/**
 * What a mailbox holds after an upload: the upload's medium-term prekeys replace the held ones (when it carries
 * any), its one-time prekeys are added to those held that are new (by id) and not expired, up to the bound (those
 * held first are kept: they are as good and were never handed out). An upload under another owner key (the
 * identity rotated) replaces everything.
 */
export function mergeUpload(held: DirectoryRecord | undefined, upload: DirectoryRecord, now: number): DirectoryRecord {
  const base = held && sameKey(held.owner, upload.owner) ? held : undefined;
  const mediumTerm = (upload.mediumTerm.length > 0 ? upload.mediumTerm : (base?.mediumTerm ?? [])).filter(live(now)).slice(-DIRECTORY_MAX_MEDIUM_TERM);
  const oneTime = [...(base?.oneTime ?? [])].filter(live(now));
  const ids = new Set(oneTime.map((prekey) => prekey.id));
  for (const prekey of upload.oneTime) {
    if (oneTime.length >= DIRECTORY_MAX_ONE_TIME) break;
    if (ids.has(prekey.id) || !live(now)(prekey)) continue;
    ids.add(prekey.id);
    oneTime.push(prekey);
  }
  return { owner: upload.owner, mediumTerm, oneTime };
}

/**
 * One fetch: the medium-term prekeys still open for sealing and at most one one-time prekey, which is removed
 * (with every expired one) from what stays held. `given` undefined: nothing usable is held.
 */
export function takeOne(held: DirectoryRecord | undefined, now: number): { readonly given: DirectoryRecord | undefined; readonly kept: DirectoryRecord | undefined } {
  if (!held) return { given: undefined, kept: undefined };
  const mediumTerm = held.mediumTerm.filter(live(now));
  const [first, ...rest] = held.oneTime.filter(live(now));
  const kept = mediumTerm.length + rest.length > 0 ? { owner: held.owner, mediumTerm, oneTime: rest } : undefined;
  if (mediumTerm.length === 0 && !first) return { given: undefined, kept };
  return { given: { owner: held.owner, mediumTerm, oneTime: first ? [first] : [] }, kept };
}
