/**
 * Fixtures shared by the independent v1 opener's tests (independent-opener*.test.ts):
 * four identities made both by the library and by the independent implementation
 * from the same seeds, and the refusal code each opener gives.
 */
import { createHash } from 'node:crypto';
import { generateIdentity, open, type Identity } from '@herald/core';
import { cat, RefusedError } from './independent-bytes.js';
import { independentIdentity, independentOpen, type Contact, type IndependentIdentity, type IndependentOpenOptions, type PRECEDENCE_BY_CODE } from './independent-v1.js';

/** Deterministic test bytes (inputs only, never key material in production). */
export function seedBytes(label: string, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  for (let block = 0; block * 64 < length; block++) {
    const digest = createHash('sha512').update(`independent opener: ${label} #${block}`).digest();
    out.set(digest.subarray(0, Math.min(64, length - block * 64)), block * 64);
  }
  return out;
}

export function scripted(...chunks: Uint8Array[]): (length: number) => Uint8Array {
  const queue = chunks.map((chunk) => chunk.slice());
  return (length) => {
    const next = queue.shift();
    if (!next || next.length !== length) throw new Error(`scripted random: asked for ${length}`);
    return next;
  };
}

export const NOW = 1_800_000_000_000;
export const labels = ['Alpha', 'Bravo', 'Charlie', 'Delta'];
export const library: Record<string, Identity> = {};
export const independent: Record<string, IndependentIdentity> = {};
for (const [index, label] of labels.entries()) {
  const signingSeed = seedBytes(`${label} signing`);
  const agreementSecret = seedBytes(`${label} agreement`);
  library[label] = generateIdentity({ label, now: NOW + index * 1000, random: scripted(cat(signingSeed, agreementSecret)) });
  independent[label] = independentIdentity(signingSeed, agreementSecret, label, Math.floor(NOW / 1000) + index);
}
export const contactsOf = (...names: string[]): Contact[] => names.map((name) => ({ signingPublicKey: independent[name]!.signingPublicKey }));

export type Precedence = (typeof PRECEDENCE_BY_CODE)[number];

export async function libraryCode(bytes: Uint8Array, options: Parameters<typeof open>[1]): Promise<string> {
  try {
    await open(bytes, options);
    return 'OK';
  } catch (error) {
    return String((error as { code?: string }).code);
  }
}
export function independentCode(bytes: Uint8Array, options: IndependentOpenOptions): string {
  try {
    independentOpen(bytes, options);
    return 'OK';
  } catch (error) {
    if (error instanceof RefusedError) return error.code;
    throw error;
  }
}
