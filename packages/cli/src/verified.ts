import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Card } from '@herald/core';
import { compact, writeAtomically } from './trust-dir.js';

/**
 * Contacts whose fingerprint was compared in person (or over another trusted
 * channel), DIR/verified/FP.json: { "fingerprint", "label", "at", "how" }.
 * A mark is about one key: a rotated contact's new key carries "rotation from FP".
 */
export interface VerifiedMark {
  readonly fingerprint: string;
  readonly label: string;
  readonly at: string;
  readonly how: string;
}

export async function markVerified(dataDirPath: string, card: Card, how: string): Promise<void> {
  const path = join(dataDirPath, 'verified');
  await mkdir(path, { recursive: true, mode: 0o700 });
  const mark: VerifiedMark = { fingerprint: card.fingerprint, label: card.label, at: new Date().toISOString(), how };
  await writeAtomically(join(path, `${compact(card.fingerprint)}.json`), `${JSON.stringify(mark)}\n`);
}

/** Marks by fingerprint (with spaces, as cards show it). */
export async function verifiedMarks(dataDirPath: string): Promise<Map<string, VerifiedMark>> {
  const path = join(dataDirPath, 'verified');
  const marks = new Map<string, VerifiedMark>();
  let names: string[];
  try {
    names = await readdir(path);
  } catch {
    return marks;
  }
  for (const name of names.filter((entry) => entry.endsWith('.json'))) {
    try {
      const mark = JSON.parse(await readFile(join(path, name), 'utf8')) as VerifiedMark;
      if (typeof mark.fingerprint === 'string') marks.set(mark.fingerprint, mark);
    } catch {
      // A damaged mark is no mark.
    }
  }
  return marks;
}
