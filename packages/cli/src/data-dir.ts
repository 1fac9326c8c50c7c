import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cardToFile, parseCard, StoreFullError, type Card, type HeraldStore, type Identity, type PrekeySecretStore } from '@herald/core';
import { lmdbPrekeySecretStore, lmdbStore } from '@herald/store-lmdb';
import { CliError } from './errors.js';
import { fileError } from './files.js';

/**
 * A node's data directory: `store/` (LMDB: outbox, seen-set, inbox) and
 * `contacts/` (one card file per contact, named by fingerprint).
 */
export interface DataDir {
  readonly path: string;
  /** `readOnly`: a command that only reads refuses a data dir that does not exist (FILE_NOT_FOUND) rather than create it. */
  openStore(options?: { readonly readOnly?: boolean }): Promise<HeraldStore>;
  /** The identity's prekey secrets, in DIR/prekeys (0700, files 0600). */
  openPrekeys(identity: Identity): Promise<PrekeySecretStore>;
  contacts(): Promise<Card[]>;
  addContact(card: Card): Promise<'added' | 'updated'>;
  removeContact(card: Card): Promise<boolean>;
}

export function dataDir(path: string): DataDir {
  const contactsPath = join(path, 'contacts');
  const fileFor = (card: Card): string => join(contactsPath, `${card.fingerprint.replace(/ /g, '')}.card`);
  return {
    path,
    async openStore({ readOnly = false } = {}) {
      if (readOnly) {
        const found = await stat(path).then((entry) => entry.isDirectory(), () => false);
        if (!found) throw new CliError('FILE_NOT_FOUND', `data directory ${path} does not exist: nothing was sent or received with it`);
      }
      try {
        await mkdir(path, { recursive: true, mode: 0o700 });
      } catch (error) {
        throw fileError(error, path, 'data directory');
      }
      return lmdbStore({ path: join(path, 'store') });
    },
    openPrekeys: (identity) => lmdbPrekeySecretStore({ path: join(path, 'prekeys'), identity }),
    async contacts() {
      let names: string[];
      try {
        names = await readdir(contactsPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw fileError(error, contactsPath, 'contacts folder');
      }
      const cards: Card[] = [];
      for (const name of names.filter((entry) => entry.endsWith('.card')).sort()) {
        cards.push(parseCard(await readFile(join(contactsPath, name), 'utf8')));
      }
      return cards;
    },
    async addContact(card) {
      const target = fileFor(card);
      const text = cardToFile(card);
      const existing = await readFile(target, 'utf8').catch(() => undefined);
      // Every `send --to CARD` passes its card: an unchanged one is not written again (nor needs room on a full disk).
      if (existing === text) return 'updated';
      // Write then rename, so a crash never leaves half a card that would break every later command.
      const temporary = `${target}.tmp-${process.pid}`;
      try {
        await mkdir(contactsPath, { recursive: true, mode: 0o700 });
        await writeFile(temporary, text, { mode: 0o600 });
        await rename(temporary, target);
      } catch (error) {
        await rm(temporary, { force: true });
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw new StoreFullError(`the disk of the data directory ${path} is full: cannot save the contact's card`, { cause: error });
        throw fileError(error, contactsPath, 'contacts folder');
      }
      return existing === undefined ? 'added' : 'updated';
    },
    async removeContact(card) {
      const target = fileFor(card);
      const existed = await readFile(target, 'utf8').then(() => true, () => false);
      await rm(target, { force: true });
      return existed;
    },
  };
}
