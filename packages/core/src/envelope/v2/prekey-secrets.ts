import type { PrekeyKind } from '../../prekey/types.js';

/** A prekey secret as the owner's store hands it to `open`. */
export interface PrekeySecret {
  readonly kind: PrekeyKind;
  /** Used for one envelope only: the caller deletes it once the message it opened is stored. */
  readonly oneTime: boolean;
  /** The kind's KEM secret key. */
  readonly secretKey: Uint8Array;
}

/**
 * Finds the secret of one of our prekeys by its 8-byte id; `undefined` once it
 * was deleted (one-time and used, or past `openUntil`). The prekey store
 * satisfies this; a plain Map keyed by hex id does too through `prekeySecretMap`.
 */
export interface PrekeySecretResolver {
  get(id: Uint8Array): PrekeySecret | undefined | Promise<PrekeySecret | undefined>;
}

/** Which prekey opened a v2 envelope: a one-time prekey's secret should be deleted once the message is stored. */
export interface OpenedPrekey {
  /** 16 lowercase hex characters. */
  readonly id: string;
  readonly kind: PrekeyKind;
  readonly oneTime: boolean;
}

/** A resolver over secrets held in memory, keyed by lowercase hex id. */
export function prekeySecretMap(secrets: ReadonlyMap<string, PrekeySecret>): PrekeySecretResolver {
  return { get: (id) => secrets.get(Buffer.from(id).toString('hex')) };
}
