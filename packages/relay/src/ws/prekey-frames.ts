import { decodePrekeyBundle, decodeSignedPrekey, encodePrekeyBundle, encodeSignedPrekey, HeraldError, toHex, verifySignedPrekey, type PrekeyBundle, type SignedPrekey } from '@herald/core';
import { DIRECTORY_MAX_MEDIUM_TERM, DIRECTORY_MAX_ONE_TIME, type DirectoryRecord } from '../store/prekey-directory.js';

/** The most prekeys one PREKEYS_PUT may carry: a full mailbox's worth. */
export const MAX_UPLOAD_PREKEYS = DIRECTORY_MAX_ONE_TIME + DIRECTORY_MAX_MEDIUM_TERM;

const toDirectory = (prekey: SignedPrekey) => ({ id: toHex(prekey.id), sealUntil: prekey.sealUntil, bytes: encodeSignedPrekey(prekey) });

/**
 * Checks a PREKEYS_PUT's bundle before anything is stored (docs/relay-protocol.md 4.3): a bundle of the
 * authenticated key, at most {@link MAX_UPLOAD_PREKEYS} prekeys, every one signed by that key. One prekey that
 * does not verify refuses the whole upload (a relay never stores what a sender would refuse); prekeys whose
 * sealUntil has passed are dropped. Returns the record to store, or why it is refused.
 */
export function checkUpload(bytes: Uint8Array, signingKey: Uint8Array, now: number): DirectoryRecord | { readonly refusal: string } {
  let bundle: PrekeyBundle;
  try {
    bundle = decodePrekeyBundle(bytes);
  } catch (error) {
    return { refusal: describe(error) };
  }
  if (toHex(bundle.owner) !== toHex(signingKey)) return { refusal: 'the bundle is not of the authenticated identity' };
  if (bundle.prekeys.length > MAX_UPLOAD_PREKEYS) return { refusal: `a bundle here holds at most ${MAX_UPLOAD_PREKEYS} prekeys` };
  const live: SignedPrekey[] = [];
  for (const prekey of bundle.prekeys) {
    try {
      live.push(verifySignedPrekey(prekey, signingKey, { now, maxClockSkewSeconds: 0 }));
    } catch (error) {
      if (!(error instanceof HeraldError && error.code === 'PREKEY_EXPIRED')) return { refusal: describe(error) };
    }
  }
  return record(signingKey, live);
}

const describe = (error: unknown): string => `${error instanceof HeraldError ? `${error.code}: ` : ''}${(error as Error).message}`;

const record = (owner: Uint8Array, prekeys: readonly SignedPrekey[]): DirectoryRecord => ({
  owner,
  mediumTerm: prekeys.filter((prekey) => !prekey.oneTime).map(toDirectory),
  oneTime: prekeys.filter((prekey) => prekey.oneTime).map(toDirectory),
});

/** A PREKEYS frame's bundle (docs/protocol.md 16) of what the directory handed out; empty when nothing. */
export function directoryBundle(given: DirectoryRecord | undefined): Uint8Array {
  if (!given) return new Uint8Array(0);
  const prekeys = [...given.mediumTerm, ...given.oneTime].map((prekey) => decodeSignedPrekey(prekey.bytes));
  return prekeys.length === 0 ? new Uint8Array(0) : encodePrekeyBundle({ owner: given.owner, prekeys });
}
