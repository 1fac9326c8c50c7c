import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cardToFile, parseCard, type Card } from '@herald/core';
import { chainToText, dirTrustStore, encodeChain, parseChain, type CertificateChain, type TrustStore } from '@herald/trust';
import { fileError } from './files.js';

/**
 * The trust part of a node's data directory, DIR/trust:
 *   authorities/FP.card   trusted authority cards (trust anchors)
 *   certificates/FP.cert  this node's certificate chains, one per identity (by fingerprint)
 *   policy.json           { "require": true } once authorities are set, unless turned off
 *   state/                what the policy learns (revocation lists, senders' chains, rotations)
 */
export interface TrustDir {
  readonly path: string;
  authorities(): Promise<Card[]>;
  addAuthority(card: Card): Promise<void>;
  certificate(fingerprint: string): Promise<CertificateChain | undefined>;
  setCertificate(chain: CertificateChain): Promise<void>;
  require(): Promise<boolean>;
  setRequire(value: boolean): Promise<void>;
  readonly store: TrustStore;
}

export const compact = (fingerprint: string): string => fingerprint.replace(/ /g, '');

/** Write then rename, so a crash never leaves half a file that would break every later command. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}

async function readOptional(path: string, what: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(error, path, what);
  }
}

/**
 * The node's own chain, encoded, for relays that admit only certified clients. Synchronous because channels are
 * built synchronously from --via; a missing file means none, a damaged one fails loudly.
 */
export function certificateBytes(dataDirPath: string | undefined, fingerprint: string): Uint8Array | undefined {
  if (dataDirPath === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(join(dataDirPath, 'trust', 'certificates', `${compact(fingerprint)}.cert`), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(error, join(dataDirPath, 'trust', 'certificates'), 'certificate file');
  }
  return encodeChain(parseChain(text));
}

export function trustDir(dataDirPath: string): TrustDir {
  const path = join(dataDirPath, 'trust');
  const authoritiesPath = join(path, 'authorities');
  const certificatesPath = join(path, 'certificates');
  const policyPath = join(path, 'policy.json');
  return {
    path,
    store: dirTrustStore(join(path, 'state')),
    async authorities() {
      let names: string[];
      try {
        names = await readdir(authoritiesPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw fileError(error, authoritiesPath, 'authorities folder');
      }
      const cards: Card[] = [];
      for (const name of names.filter((entry) => entry.endsWith('.card')).sort()) cards.push(parseCard(await readFile(join(authoritiesPath, name), 'utf8')));
      return cards;
    },
    async addAuthority(card) {
      await mkdir(authoritiesPath, { recursive: true, mode: 0o700 });
      await writeAtomically(join(authoritiesPath, `${compact(card.fingerprint)}.card`), cardToFile(card));
    },
    async certificate(fingerprint) {
      const text = await readOptional(join(certificatesPath, `${compact(fingerprint)}.cert`), 'certificate file');
      return text === undefined ? undefined : parseChain(text);
    },
    async setCertificate(chain) {
      await mkdir(certificatesPath, { recursive: true, mode: 0o700 });
      await writeAtomically(join(certificatesPath, `${compact(chain[0]!.subject.fingerprint)}.cert`), chainToText(chain));
    },
    async require() {
      const text = await readOptional(policyPath, 'trust policy file');
      if (text === undefined) return (await this.authorities()).length > 0;
      return (JSON.parse(text) as { require?: unknown }).require !== false;
    },
    async setRequire(value) {
      await mkdir(path, { recursive: true, mode: 0o700 });
      await writeAtomically(policyPath, `${JSON.stringify({ require: value })}\n`);
    },
  };
}
