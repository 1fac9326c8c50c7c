import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeId } from '@herald/core';
import { accountInit, startMailSystem, type MailSystem, pairOn } from './mail.js';
import { envelope, party, peek, routeOf, started, tagOf, transport, until } from './helpers.js';

/**
 * A plainer IMAP server than Dovecot's defaults: Dovecot advertising only
 * IMAP4rev1 basics after login, no IDLE, no MOVE, no UIDPLUS, as older or
 * minimal servers do. The channel must still collect (by polling) and must
 * still never touch other mail: without UIDPLUS there is no EXPUNGE of one
 * mail, and a plain EXPUNGE would remove everyone's \Deleted mail.
 */
const PLAIN = 'IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE NAMESPACE UNSELECT CHILDREN';

let mail: MailSystem;
beforeAll(async () => {
  mail = await startMailSystem({ domain: 'plain.test', imapCapability: PLAIN });
}, 60_000);
afterAll(async () => {
  await mail?.close();
});

const pair = () => pairOn(mail);

/** A mail of someone else's, already flagged \Deleted by their client but not expunged yet. */
async function appendDeleted(address: string): Promise<void> {
  const client = new ImapFlow({ host: mail.host, port: mail.imap.securePort, secure: true, auth: { user: address, pass: mail.password }, tls: { ca: mail.ca }, logger: false });
  await client.connect();
  try {
    await client.append('INBOX', `From: friend@example.org\r\nTo: ${address}\r\nSubject: old draft\r\n\r\nThrow this away later.\r\n`, ['\\Deleted']);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

describe('email transport against a plain IMAP server (no IDLE, MOVE or UIDPLUS)', () => {
  it('advertises none of them, as configured', async () => {
    const client = new ImapFlow({ host: mail.host, port: mail.imap.securePort, secure: true, auth: { user: mail.newAddress('probe'), pass: mail.password }, tls: { ca: mail.ca }, logger: false });
    await client.connect();
    const advertised = [...client.capabilities.keys()];
    await client.logout();
    for (const missing of ['IDLE', 'MOVE', 'UIDPLUS']) expect(advertised).not.toContain(missing);
  });

  it('falls back to polling: the channel comes up and collects mail sent meanwhile, each once', async () => {
    const { alice, bob, addresses, book } = pair();
    const a = transport(accountInit(mail, addresses.alice, book));
    await started(a, alice);
    const b = transport(accountInit(mail, addresses.bob, book, { pollIntervalMs: 1_000 }));
    const atBob = await started(b, bob);
    const sent = [envelope(alice, bob), envelope(alice, bob), envelope(alice, bob)];
    for (const bytes of sent) await a.send(bytes, routeOf(bytes));
    await until('three envelopes without IDLE', () => sent.every((bytes) => atBob.ids.has(envelopeId(bytes))), 30_000);
    // Without UIDPLUS delete only flags them: later scans skip them.
    await until('the three flagged \\Deleted', async () => (await peek(mail, addresses.bob)).filter((stored) => stored.flags.has('\\Deleted')).length === 3);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(atBob.offers).toBe(3);
  });

  it.each([{ action: 'delete' }, { action: 'move', mailbox: 'Processed' }] as const)('processed: $action leaves other people’s \\Deleted mail in place (no plain EXPUNGE)', async (processed) => {
    const { alice, bob, addresses, book } = pair();
    await appendDeleted(addresses.bob);
    const a = transport(accountInit(mail, addresses.alice, book));
    await started(a, alice);
    const bytes = envelope(alice, bob);
    await a.send(bytes, routeOf(bytes));
    const atBob = await started(transport(accountInit(mail, addresses.bob, book, { processed, pollIntervalMs: 500 })), bob);
    await until('the envelope', () => atBob.ids.has(envelopeId(bytes)));
    // Ours is done when flagged \Deleted (and, for move, copied to the folder).
    await until('Bob’s mail marked processed', async () => (await peek(mail, addresses.bob)).filter((stored) => stored.flags.has('\\Deleted')).length === 2 && (processed.action === 'delete' || (await peek(mail, addresses.bob, 'Processed')).length === 1));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const inbox = await peek(mail, addresses.bob);
    expect(inbox.filter((stored) => stored.source.includes('Subject: old draft')), 'the other \\Deleted mail is still there').toHaveLength(1);
    expect(inbox).toHaveLength(2);
    expect(atBob.offers).toBe(1);
  });
});
