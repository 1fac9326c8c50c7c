import { readFile } from 'node:fs/promises';
import { constantTimeEqual } from '@herald/core';
import { TrustError } from '@herald/trust';
import { REVOCATION_REASONS, fingerprintFromText, issueRevocationList, parseRevocationList, revocationListToText, type RevocationList, type RevocationReason } from '@herald/trust';
import { UsageError } from '../errors.js';
import { fileError } from '../files.js';
import { writeStderr, writeStdout } from '../io.js';
import { loadIdentity } from '../keys.js';
import { writeAtomically } from '../trust-dir.js';

export interface RevokeFlags {
  org?: string;
  fingerprint?: string[];
  reason?: string;
  list?: string;
  serial?: string;
  'passphrase-file'?: string;
}

/** The authority's current list lives beside its key (org.key → org.revocations), so the serial keeps growing from one run to the next. */
export function listPathFor(keyPath: string): string {
  return keyPath.endsWith('.key') ? `${keyPath.slice(0, -'.key'.length)}.revocations` : `${keyPath}.revocations`;
}

async function previousList(path: string): Promise<RevocationList | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(error, path, 'revocation list');
  }
  return parseRevocationList(text);
}

/** Adds fingerprints to the authority's complete list, signs it under the next serial and saves it beside the key (or --list). */
export async function extendRevocationList(flags: RevokeFlags, fingerprints: readonly Uint8Array[]): Promise<{ list: RevocationList; path: string; text: string }> {
  if (!flags.org) throw new UsageError('needs --org KEY');
  const reason = (flags.reason ?? 'unspecified') as RevocationReason;
  if (!REVOCATION_REASONS.includes(reason)) throw new UsageError(`--reason must be one of ${REVOCATION_REASONS.join(', ')}; got '${flags.reason}'`);
  const issuer = await loadIdentity(flags.org, flags['passphrase-file']);
  const path = flags.list ?? listPathFor(flags.org);
  const previous = await previousList(path);
  if (previous && !constantTimeEqual(previous.issuerKey, issuer.card.signingPublicKey)) throw new TrustError('BAD_REVOCATION_LIST', `${path} was issued by ${previous.issuerFingerprint}, not by this authority`);
  const serial = flags.serial === undefined ? (previous?.serial ?? 0) + 1 : Number(flags.serial);
  if (!Number.isInteger(serial) || serial < 1 || serial > 0xffffffff) throw new UsageError(`--serial must be a whole number from 1 to 4294967295; got '${flags.serial}'`);
  if (previous && serial <= previous.serial) throw new TrustError('STALE_REVOCATION_LIST', `serial ${serial} does not exceed ${previous.serial}, the serial of ${path}; nodes holding that list would refuse this one`);
  const kept = (previous?.entries ?? []).map((entry) => ({ fingerprint: entry.fingerprint, revokedAt: entry.revokedAt.getTime(), reason: entry.reason }));
  const list = issueRevocationList({ issuer, serial, entries: [...kept, ...fingerprints.map((fingerprint) => ({ fingerprint, reason }))] });
  const text = revocationListToText(list);
  try {
    await writeAtomically(path, text);
  } catch (error) {
    throw fileError(error, path, 'revocation list');
  }
  return { list, path, text };
}

/** `herald org revoke`: extends the list, prints it, and says where it went. */
export async function orgRevoke(flags: RevokeFlags): Promise<void> {
  if (!flags.org) throw new UsageError('org revoke needs --org KEY');
  const { list, path, text } = await extendRevocationList(flags, (flags.fingerprint ?? []).map((text) => fingerprintFromText(text)));
  await writeStdout(text);
  await writeStderr(`revocation list ${list.serial}: ${list.entries.length} revoked; saved as ${path}. Send it to every node (herald trust revocations FILE, or herald send --content-type application/vnd.herald.revocation), or run herald incident to do it all\n`);
}
