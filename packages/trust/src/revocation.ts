import { OptionsError, constantTimeEqual, toHex, type Identity } from '@herald/core';
import { TrustError } from './errors.js';
import { concat, readU16, readU32, seconds, u16, u32, utf8 } from './bytes.js';
import { REVOCATION_LIST_DOMAIN } from './domains.js';
import { FINGERPRINT_BYTES, fingerprintBytes, fingerprintText } from './fingerprint.js';
import { sodium } from './sodium.js';
import { commentSafe, fromLines, toLine } from './text.js';

/**
 * A signed revocation list: every key an authority has withdrawn, complete
 * (each list replaces the previous one) and numbered by a serial that only
 * grows. Layout (protocol.md 15.4):
 *   "HRL" | version 1 | issuer key 32 | serial u32 | issued u32 | count u16
 *   | count × (fingerprint 16 | revoked at u32 | reason u8) in ascending fingerprint order | signature 64
 */
export const REVOCATION_REASONS = ['unspecified', 'lost', 'compromised', 'superseded'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export interface RevocationEntry {
  /** 16 bytes (fingerprint.ts). */
  readonly fingerprint: Uint8Array;
  readonly fingerprintText: string;
  readonly revokedAt: Date;
  readonly reason: RevocationReason;
}

export interface RevocationList {
  readonly issuerKey: Uint8Array;
  readonly issuerFingerprint: string;
  readonly serial: number;
  readonly issued: Date;
  readonly entries: readonly RevocationEntry[];
  readonly bytes: Uint8Array;
}

export const REVOCATION_MAGIC = utf8('HRL');
export const REVOCATION_VERSION = 1;
export const REVOCATIONS_PREFIX = 'herald-revocations:';
const HEADER_BYTES = 46;
const ENTRY_BYTES = FINGERPRINT_BYTES + 4 + 1;
export const MAX_REVOCATION_ENTRIES = 0xffff;

const bad = (message: string, cause?: unknown): TrustError => new TrustError('BAD_REVOCATION_LIST', message, cause === undefined ? {} : { cause });

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return (a[index] ?? 0) - (b[index] ?? 0);
  return 0;
}

export interface RevocationInput {
  readonly fingerprint: Uint8Array;
  /** ms since the epoch. Default: the list's issue time. */
  readonly revokedAt?: number;
  readonly reason?: RevocationReason;
}

export interface IssueRevocationListInit {
  readonly issuer: Identity;
  /** Must exceed the serial of every list this issuer published before. */
  readonly serial: number;
  readonly entries: readonly RevocationInput[];
  /** ms. Default now. */
  readonly issued?: number;
}

/** Signs a complete list. Entries are sorted; a fingerprint listed twice keeps its first entry. */
export function issueRevocationList(init: IssueRevocationListInit): RevocationList {
  if (!Number.isInteger(init.serial) || init.serial < 1 || init.serial > 0xffffffff) throw new OptionsError('serial: expected a whole number from 1 to 4294967295');
  const issued = seconds(init.issued ?? Date.now());
  const unique = new Map<string, RevocationInput>();
  for (const entry of init.entries) {
    if (!(entry.fingerprint instanceof Uint8Array) || entry.fingerprint.length !== FINGERPRINT_BYTES || ((entry.fingerprint[15] ?? 0) & 0x07) !== 0) throw new OptionsError('entries: fingerprints are 16 bytes (fingerprintFromText, fingerprintBytes)');
    if (entry.reason !== undefined && !REVOCATION_REASONS.includes(entry.reason)) throw new OptionsError(`reason: expected one of ${REVOCATION_REASONS.join(', ')}`);
    if (!unique.has(toHex(entry.fingerprint))) unique.set(toHex(entry.fingerprint), entry);
  }
  if (unique.size > MAX_REVOCATION_ENTRIES) throw new OptionsError(`entries: at most ${MAX_REVOCATION_ENTRIES}`);
  const sorted = [...unique.values()].sort((a, b) => compare(a.fingerprint, b.fingerprint));
  const body = concat([
    REVOCATION_MAGIC,
    Uint8Array.of(REVOCATION_VERSION),
    init.issuer.card.signingPublicKey,
    u32(init.serial),
    u32(issued),
    u16(sorted.length),
    ...sorted.flatMap((entry) => [entry.fingerprint, u32(seconds(entry.revokedAt ?? issued * 1000)), Uint8Array.of(REVOCATION_REASONS.indexOf(entry.reason ?? 'unspecified'))]),
  ]);
  const signature = sodium.crypto_sign_detached(concat([REVOCATION_LIST_DOMAIN, body]), init.issuer.signingSecretKey);
  return decodeRevocationList(concat([body, signature]));
}

/** Decodes and verifies a list's signature and canonical form. Throws BAD_REVOCATION_LIST at the first defect. */
export function decodeRevocationList(bytes: Uint8Array): RevocationList {
  if (!(bytes instanceof Uint8Array)) throw bad('revocation list must be bytes');
  if (bytes.length < HEADER_BYTES + 64) throw bad('revocation list is truncated');
  if (bytes[0] !== REVOCATION_MAGIC[0] || bytes[1] !== REVOCATION_MAGIC[1] || bytes[2] !== REVOCATION_MAGIC[2]) throw bad('not a Herald revocation list');
  if (bytes[3] !== REVOCATION_VERSION) throw bad(`revocation list version ${bytes[3]} is not supported`);
  const serial = readU32(bytes, 36);
  if (serial === 0) throw bad('revocation list serial 0 is not allowed');
  const count = readU16(bytes, 44);
  if (bytes.length !== HEADER_BYTES + count * ENTRY_BYTES + 64) throw bad('revocation list length does not match its entry count');
  const issuerKey = bytes.slice(4, 36);
  const signatureAt = bytes.length - 64;
  if (!sodium.crypto_sign_verify_detached(bytes.subarray(signatureAt), concat([REVOCATION_LIST_DOMAIN, bytes.subarray(0, signatureAt)]), issuerKey)) throw bad('revocation list signature does not verify (forged or altered)');
  const entries: RevocationEntry[] = [];
  let previous: Uint8Array | undefined;
  for (let index = 0; index < count; index++) {
    const at = HEADER_BYTES + index * ENTRY_BYTES;
    const fingerprint = bytes.slice(at, at + FINGERPRINT_BYTES);
    if (((fingerprint[15] ?? 0) & 0x07) !== 0) throw bad('a fingerprint has its unused low bits set');
    // Strictly ascending: one encoding per list, and no entry twice.
    if (previous && compare(previous, fingerprint) >= 0) throw bad('revocation entries are not in strictly ascending order');
    const reason = REVOCATION_REASONS[bytes[at + FINGERPRINT_BYTES + 4] ?? 255];
    if (reason === undefined) throw bad('unknown revocation reason');
    entries.push(Object.freeze({ fingerprint, fingerprintText: fingerprintText(fingerprint), revokedAt: new Date(readU32(bytes, at + FINGERPRINT_BYTES) * 1000), reason }));
    previous = fingerprint;
  }
  return Object.freeze({ issuerKey, issuerFingerprint: fingerprintText(fingerprintBytes(issuerKey)), serial, issued: new Date(readU32(bytes, 40) * 1000), entries, bytes: bytes.slice() });
}

/** The entry revoking `signingPublicKey`, if the list has one. */
export function findRevocation(list: RevocationList, signingPublicKey: Uint8Array): RevocationEntry | undefined {
  const wanted = fingerprintBytes(signingPublicKey);
  return list.entries.find((entry) => constantTimeEqual(entry.fingerprint, wanted));
}

export function revocationListToText(list: RevocationList): string {
  const lines = list.entries.map((entry) => `#   ${entry.fingerprintText}  ${entry.reason}  ${entry.revokedAt.toISOString()}\n`);
  return `# Herald revocation list ${list.serial} by ${commentSafe(list.issuerFingerprint)}, issued ${list.issued.toISOString()}, ${list.entries.length} revoked\n${lines.join('')}${toLine(REVOCATIONS_PREFIX, list.bytes)}\n`;
}

/** Accepts the file form or the bare binary list (as carried in a Herald message). */
export function parseRevocationList(input: string | Uint8Array): RevocationList {
  if (typeof input !== 'string') {
    if (input[0] === REVOCATION_MAGIC[0]) return decodeRevocationList(input);
    input = new TextDecoder().decode(input);
  }
  const lists = fromLines(input, REVOCATIONS_PREFIX, bad);
  if (lists.length !== 1) throw bad('expected exactly one herald-revocations: line');
  return decodeRevocationList(lists[0]!);
}
