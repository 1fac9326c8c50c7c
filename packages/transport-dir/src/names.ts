import { randomBytes } from 'node:crypto';
import { TransportError, type Route } from '@herald/core';

/**
 * Spool file names: `<routingTagHex>.<messageIdHex>.env`, one file per
 * recipient routing tag, so a reader finds its own envelopes by listing names
 * alone and never opens anybody else's file.
 *
 * Privacy note: anyone who can list the folder (the sync service, whoever finds
 * the USB stick) learns routing tags, message ids, sizes and timestamps; never
 * contents, senders or recipients' identities, since tags are opaque hashes.
 */

/** Temporary files of writers in progress; readers never touch them. */
export const TEMP_PREFIX = '.tmp-';
export const SPOOL_SUFFIX = '.env';

/** 1 to 64 bytes of lowercase hex: today's tags and ids are 16 bytes, and no name grows past filesystem limits. */
const HEX = /^(?:[0-9a-f]{2}){1,64}$/;
const SPOOL_NAME = /^((?:[0-9a-f]{2}){1,64})\.((?:[0-9a-f]{2}){1,64})\.env$/;

export function isSpoolHex(value: unknown): value is string {
  return typeof value === 'string' && HEX.test(value);
}

export function spoolFileName(routingTag: string, messageId: string): string {
  return `${routingTag}.${messageId}${SPOOL_SUFFIX}`;
}

export interface SpoolName {
  readonly routingTag: string;
  readonly messageId: string;
}

/** The tag and id of a spool file name, or undefined for temp files and anything else. */
export function parseSpoolFileName(name: string): SpoolName | undefined {
  const match = SPOOL_NAME.exec(name);
  if (!match) return undefined;
  return { routingTag: match[1] ?? '', messageId: match[2] ?? '' };
}

/** A fresh temp name; the random part keeps concurrent writers (even on other machines) apart. */
export function tempFileName(): string {
  return `${TEMP_PREFIX}${randomBytes(12).toString('hex')}`;
}

/** The spool names a route asks for, one per distinct tag; refuses routes whose parts are not hex. */
export function routeFileNames(route: Route, channel: string): string[] {
  if (typeof route !== 'object' || route === null) throw new TransportError('CHANNEL_REJECTED', channel, 'send: route is required');
  // Tags and ids become file names: anything but hex could escape the folder (`../`) or collide.
  if (!isSpoolHex(route.messageId)) throw new TransportError('CHANNEL_REJECTED', channel, `send: route.messageId: expected lowercase hex, got ${JSON.stringify(route.messageId)}`);
  if (!Array.isArray(route.routingTags) || route.routingTags.length === 0) throw new TransportError('CHANNEL_REJECTED', channel, 'send: route.routingTags: expected at least one routing tag');
  const names = new Set<string>();
  for (const tag of route.routingTags) {
    if (!isSpoolHex(tag)) throw new TransportError('CHANNEL_REJECTED', channel, `send: route.routingTags: expected lowercase hex, got ${JSON.stringify(tag)}`);
    names.add(spoolFileName(tag, route.messageId));
  }
  return [...names];
}
