import { cardToText, parseCard, type Card } from '@herald/core';
import { openDatabase, transact } from './database.js';
import { databaseName, factory } from './init.js';
import type { StoredIdentityInit } from './keys.js';

interface ContactEntry {
  readonly fingerprint: string;
  /** The card's text line (herald-card:…), as shared. */
  readonly card: string;
}

/** Keeps a contact's card (replacing one with the same fingerprint), so a page knows its contacts after a reload. */
export async function saveContact(card: Card, init: StoredIdentityInit = {}): Promise<void> {
  const db = await openDatabase(factory(init.indexedDB), databaseName(init.name));
  try {
    await transact(db, ['contacts'], 'readwrite', 'saveContact', ({ tx }) => {
      tx.objectStore('contacts').put({ fingerprint: card.fingerprint, card: cardToText(card) } satisfies ContactEntry);
      return () => undefined;
    });
  } finally {
    db.close();
  }
}

/** The stored contacts' cards, each parsed (and so checked) again. */
export async function listContacts(init: StoredIdentityInit = {}): Promise<Card[]> {
  const db = await openDatabase(factory(init.indexedDB), databaseName(init.name));
  try {
    const entries = await transact(db, ['contacts'], 'readonly', 'listContacts', ({ tx, on }) => {
      let found: ContactEntry[] = [];
      on(tx.objectStore('contacts').getAll() as IDBRequest<ContactEntry[]>, (all) => (found = all));
      return () => found;
    });
    return entries.map((entry) => parseCard(entry.card));
  } finally {
    db.close();
  }
}
