import { headers, type MsgHdrs } from '@nats-io/transport-node';

/**
 * What each stored message carries beside its envelope, so any relay of the cluster can index it without reading
 * the envelope: the message id, when it must be gone, a hash of its bytes (what a repeated deposit is found by), and
 * when it was deposited (the latency histograms' start, on whichever relay pushes it).
 */
export interface EntryHeader {
  readonly id: string;
  readonly keepUntil: number;
  readonly hash: string;
  readonly depositedAt: number;
}

const ID = 'Herald-Id';
const KEEP_UNTIL = 'Herald-Keep-Until';
const HASH = 'Herald-Hash';
const DEPOSITED = 'Herald-Deposited';

export function entryHeaders(entry: EntryHeader): MsgHdrs {
  const out = headers();
  out.set(ID, entry.id);
  out.set(KEEP_UNTIL, String(entry.keepUntil));
  out.set(HASH, entry.hash);
  out.set(DEPOSITED, String(entry.depositedAt));
  return out;
}

/** The header of a stored message, or undefined for a message this store did not write (it is left alone). */
export function readEntryHeader(header: MsgHdrs | undefined): EntryHeader | undefined {
  if (!header) return undefined;
  const id = header.get(ID);
  const keepUntil = Number(header.get(KEEP_UNTIL));
  const hash = header.get(HASH);
  const depositedAt = Number(header.get(DEPOSITED));
  if (id === '' || hash === '' || !Number.isFinite(keepUntil) || !Number.isFinite(depositedAt)) return undefined;
  return { id, keepUntil, hash, depositedAt };
}
