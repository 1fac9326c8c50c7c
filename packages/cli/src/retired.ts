import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { exportIdentity, importIdentity, type Identity, type RetiredIdentity } from '@herald/core';
import { lmdbPrekeySecretStore } from '@herald/store-lmdb';
import { parseRotation, rotationToText, type RotationStatement } from '@herald/trust';
import { compact, writeAtomically } from './trust-dir.js';

/**
 * Keys a node rotated away from, DIR/retired:
 *   FP.key        the old secret key (mode 0600), kept only to decrypt mail sealed to it
 *   FP.json       { "until": ms }: the end of the grace period
 *   FP.rotation   the rotation statement to announce to contacts
 *   FP.announced  fingerprints of the contacts it was sent to, one per line
 *   FP.prekeys/   the old key's prekey secrets (DIR/prekeys moved here at the rotation), so
 *                 version-2 mail sealed to them still opens; the new key starts a fresh DIR/prekeys
 */
export interface RetiredKeys {
  add(previous: Identity, statement: RotationStatement, until: number, passphrase?: string): Promise<void>;
  identities(passphrase?: string): Promise<RetiredIdentity[]>;
  statements(): Promise<RotationStatement[]>;
  announced(statement: RotationStatement): Promise<Set<string>>;
  markAnnounced(statement: RotationStatement, fingerprints: Iterable<string>): Promise<void>;
}

export function retiredKeys(dataDirPath: string): RetiredKeys {
  const path = join(dataDirPath, 'retired');
  const file = (fingerprint: string, extension: string): string => join(path, `${compact(fingerprint)}.${extension}`);
  const names = async (extension: string): Promise<string[]> => {
    try {
      return (await readdir(path)).filter((name) => name.endsWith(`.${extension}`)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  };
  return {
    async add(previous, statement, until, passphrase) {
      await mkdir(path, { recursive: true, mode: 0o700 });
      const fingerprint = previous.card.fingerprint;
      // The old key keeps the protection it had: a passphrase-protected key stays protected here.
      await writeAtomically(file(fingerprint, 'key'), exportIdentity(previous, passphrase === undefined ? {} : { passphrase }));
      await writeAtomically(file(fingerprint, 'json'), `${JSON.stringify({ until })}\n`);
      await writeAtomically(file(fingerprint, 'rotation'), rotationToText(statement));
      // Its records are encrypted under the old key: only the old identity can use them.
      const prekeys = join(dataDirPath, 'prekeys');
      if (await exists(prekeys)) await rename(prekeys, file(fingerprint, 'prekeys'));
    },
    async identities(passphrase) {
      const out: RetiredIdentity[] = [];
      for (const name of await names('key')) {
        const base = name.slice(0, -'.key'.length);
        const meta = JSON.parse(await readFile(join(path, `${base}.json`), 'utf8')) as { until?: unknown };
        const until = typeof meta.until === 'number' ? meta.until : 0;
        // Past its grace period a retired key decrypts nothing; not even its passphrase is asked for.
        if (until < Date.now()) continue;
        const identity = importIdentity(await readFile(join(path, name), 'utf8'), passphrase);
        const prekeys = join(path, `${base}.prekeys`);
        out.push({ identity, until, ...((await exists(prekeys)) ? { prekeys: await lmdbPrekeySecretStore({ path: prekeys, identity }) } : {}) });
      }
      return out;
    },
    async statements() {
      const out: RotationStatement[] = [];
      for (const name of await names('rotation')) out.push(parseRotation(await readFile(join(path, name), 'utf8')));
      return out;
    },
    async announced(statement) {
      try {
        return new Set((await readFile(file(statement.previous.fingerprint, 'announced'), 'utf8')).split('\n').filter(Boolean));
      } catch {
        return new Set();
      }
    },
    async markAnnounced(statement, fingerprints) {
      const all = await this.announced(statement);
      for (const fingerprint of fingerprints) all.add(fingerprint);
      await writeAtomically(file(statement.previous.fingerprint, 'announced'), `${[...all].join('\n')}\n`);
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
