import { headers, type MsgHdrs } from '@nats-io/transport-node';
import type { DirectoryPrekey } from '../prekey-directory.js';

/**
 * How the prekey directory's records look in JetStream (prekeys.ts): a mailbox's owner key and medium-term
 * prekeys as one JSON value in a key-value bucket, and each one-time prekey as one stream message (its bytes),
 * with its id, its sealUntil and its owner key (hex) in headers.
 */
export interface OwnerRecord {
  readonly owner: Uint8Array;
  readonly mediumTerm: readonly DirectoryPrekey[];
}

/** A one-time prekey as read back from the stream, with the owner key it was uploaded under. */
export interface StoredOneTime {
  readonly seq: number;
  readonly owner: string;
  readonly prekey: DirectoryPrekey;
}

const ID = 'Herald-Prekey-Id';
const SEAL_UNTIL = 'Herald-Seal-Until';
const OWNER = 'Herald-Owner';

interface Json {
  readonly owner: string;
  readonly mediumTerm: readonly { readonly id: string; readonly sealUntil: number; readonly bytes: string }[];
}

export function encodeOwnerRecord(record: OwnerRecord): Uint8Array {
  const json: Json = {
    owner: Buffer.from(record.owner).toString('base64'),
    mediumTerm: record.mediumTerm.map((prekey) => ({ id: prekey.id, sealUntil: prekey.sealUntil, bytes: Buffer.from(prekey.bytes).toString('base64') })),
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

/** The record, or undefined for a value this store did not write (it is treated as nothing held). */
export function decodeOwnerRecord(bytes: Uint8Array): OwnerRecord | undefined {
  try {
    const json = JSON.parse(new TextDecoder().decode(bytes)) as Json;
    if (typeof json.owner !== 'string' || !Array.isArray(json.mediumTerm)) return undefined;
    const mediumTerm = json.mediumTerm.map((prekey) => ({ id: String(prekey.id), sealUntil: Number(prekey.sealUntil), bytes: new Uint8Array(Buffer.from(String(prekey.bytes), 'base64')) }));
    return { owner: new Uint8Array(Buffer.from(json.owner, 'base64')), mediumTerm };
  } catch {
    return undefined;
  }
}

export function oneTimeHeaders(owner: string, prekey: DirectoryPrekey): MsgHdrs {
  const out = headers();
  out.set(ID, prekey.id);
  out.set(SEAL_UNTIL, String(prekey.sealUntil));
  out.set(OWNER, owner);
  return out;
}

/** A stored one-time prekey, or undefined for a message this store did not write. */
export function readOneTime(seq: number, data: Uint8Array, header: MsgHdrs | undefined): StoredOneTime | undefined {
  const id = header?.get(ID) ?? '';
  const sealUntil = Number(header?.get(SEAL_UNTIL));
  const owner = header?.get(OWNER) ?? '';
  if (id === '' || owner === '' || !Number.isFinite(sealUntil)) return undefined;
  return { seq, owner, prekey: { id, sealUntil, bytes: data } };
}
