import { exportIdentity, importIdentity, OptionsError, type Identity, type PassphraseStrength } from '@herald/core';
import { openDatabase, transact } from './database.js';
import { databaseName, factory } from './init.js';

/** The key under which the identity's key file text is kept in the `keys` object store. */
const IDENTITY_KEY = 'identity';

export interface StoredIdentityInit {
  /** Default `herald`. */
  readonly name?: string;
  /** Default: the page's IndexedDB. */
  readonly indexedDB?: IDBFactory;
}

export interface SaveIdentityInit extends StoredIdentityInit {
  readonly identity: Identity;
  /** Required and non-empty: a page never keeps a secret key unencrypted. */
  readonly passphrase: string;
  /** Argon2id cost, as for key files. Default moderate. */
  readonly strength?: PassphraseStrength;
  /** Replaces a stored identity. Default false: refused with an OptionsError. */
  readonly overwrite?: boolean;
}

/**
 * Keeps the identity in IndexedDB as a passphrase-protected key file (Argon2id,
 * XChaCha20-Poly1305: core's keyfile.ts, byte for byte what `herald` writes), so
 * it can also be exported and used by the CLI. Never in localStorage, which any
 * script of the origin reads synchronously and browsers do not treat as a store.
 */
export async function saveIdentity(init: SaveIdentityInit): Promise<void> {
  if (typeof init?.passphrase !== 'string' || init.passphrase.length === 0) throw new OptionsError('saveIdentity: passphrase: required (a page keeps its key only encrypted)');
  const text = exportIdentity(init.identity, { passphrase: init.passphrase, ...(init.strength === undefined ? {} : { strength: init.strength }) });
  const db = await openDatabase(factory(init.indexedDB), databaseName(init.name));
  try {
    await transact(db, ['keys'], 'readwrite', 'saveIdentity', ({ tx, on, fail }) => {
      const keys = tx.objectStore('keys');
      on(keys.getKey(IDENTITY_KEY), (existing) => {
        if (existing !== undefined && init.overwrite !== true) return fail(new OptionsError('saveIdentity: an identity is already stored in this database (pass overwrite: true to replace it)'));
        keys.put(text, IDENTITY_KEY);
      });
      return () => undefined;
    });
  } finally {
    db.close();
  }
}

/** The stored key file text (passphrase-protected), to export; undefined when none is stored. */
export async function storedIdentityText(init: StoredIdentityInit = {}): Promise<string | undefined> {
  const db = await openDatabase(factory(init.indexedDB), databaseName(init.name));
  try {
    return await transact(db, ['keys'], 'readonly', 'storedIdentityText', ({ tx, on }) => {
      let text: string | undefined;
      on(tx.objectStore('keys').get(IDENTITY_KEY), (value) => (text = typeof value === 'string' ? value : undefined));
      return () => text;
    });
  } finally {
    db.close();
  }
}

/** Unlocks the stored identity; undefined when none is stored. KeyError BAD_PASSPHRASE for a wrong passphrase. */
export async function loadIdentity(init: StoredIdentityInit & { readonly passphrase: string }): Promise<Identity | undefined> {
  const text = await storedIdentityText(init);
  return text === undefined ? undefined : importIdentity(text, init.passphrase);
}
