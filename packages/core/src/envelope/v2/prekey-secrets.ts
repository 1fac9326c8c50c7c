import type { OwnedPrekey } from '../../prekey/generate.js';
import type { PrekeyKind, SignedPrekey } from '../../prekey/types.js';

/** What `open` needs of one of our prekeys: its kind, whether it is one-time, and its KEM secret key. An OwnedPrekey is one. */
export type PrekeySecret = Pick<OwnedPrekey, 'secretKey'> & { readonly prekey: Pick<SignedPrekey, 'kind' | 'oneTime'> };

/**
 * Finds one of our prekeys by its 8-byte id; `undefined` once its secret was
 * deleted (one-time and used, or past `openUntil`). A PrekeySecretStore
 * (`memoryPrekeySecretStore`, `lmdbPrekeySecretStore`) is one. `open` wipes the
 * secret key it is handed once it has decapsulated.
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
