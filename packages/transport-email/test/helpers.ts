import { afterEach } from 'vitest';
import { ImapFlow } from 'imapflow';
import { generateIdentity, seal, toHex, type Identity, type Transport } from '@herald/core';
import { recorder, routeOf, startedFor, type Recorder } from '@herald/transport-compliance';
import { emailTransport, type EmailTransportInit } from '@herald/transport-email';
import type { MailSystem } from './mail.js';

/** Test helpers: transports stopped after each test, identities, envelopes, a recording deliver, a plain IMAP peek, bounded waits. */

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

export function cleanup(action: () => Promise<unknown>): void {
  cleanups.push(action);
}

export function transport(init: EmailTransportInit): Transport {
  const made = emailTransport(init);
  cleanups.push(() => made.stop({ signal: AbortSignal.timeout(10_000) }));
  return made;
}

export const tagOf = (identity: Identity): string => toHex(identity.card.routingTag);
export const party = (label: string): Identity => generateIdentity({ label });

export function envelope(from: Identity, ...to: Identity[]): Uint8Array {
  return seal(`hello ${Math.round(performance.now() * 1000)}`, { from, to: to.map((identity) => identity.card), ttl: 3600 });
}

export { routeOf };

export { recorder, type Recorder };

export function started(subject: Transport, identity: Identity, box: Recorder = recorder()): Promise<Recorder> {
  return startedFor(subject, identity, box, 20000);
}

export interface PeekedMail {
  readonly uid: number;
  readonly flags: Set<string>;
  readonly source: string;
}

/** Reads a mailbox as an ordinary mail client would (BODY.PEEK: nothing is marked), to see what the server holds. */
export async function peek(mail: MailSystem, address: string, folder = 'INBOX'): Promise<PeekedMail[]> {
  const client = new ImapFlow({ host: mail.host, port: mail.imap.securePort, secure: true, auth: { user: address, pass: mail.password }, tls: { ca: mail.ca }, logger: false });
  await client.connect();
  try {
    const box = await client.mailboxOpen(folder);
    if (box.exists === 0) return [];
    const found: PeekedMail[] = [];
    for await (const message of client.fetch('1:*', { uid: true, flags: true, source: true })) found.push({ uid: message.uid, flags: message.flags ?? new Set(), source: message.source?.toString('latin1') ?? '' });
    return found;
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Puts a mail straight into a mailbox (IMAP APPEND), as another correspondent's mail would be. */
export async function append(mail: MailSystem, address: string, raw: string): Promise<void> {
  const client = new ImapFlow({ host: mail.host, port: mail.imap.securePort, secure: true, auth: { user: address, pass: mail.password }, tls: { ca: mail.ca }, logger: false });
  await client.connect();
  try {
    await client.append('INBOX', raw.replace(/\r?\n/g, '\r\n'));
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Sends as a node would: a retryable refusal (the server restarting) is tried again, within a bound. */
export async function sendPersistently(subject: Transport, bytes: Uint8Array, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await subject.send(bytes, routeOf(bytes));
      return;
    } catch (error) {
      if (!(error as { retryable?: boolean }).retryable || Date.now() > deadline) throw error;
      await pause(200);
    }
  }
}

export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
