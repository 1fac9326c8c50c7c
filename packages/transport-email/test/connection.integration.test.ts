import { readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeId, TransportError, type TransportEvent } from '@herald/core';
import { freePort } from '@herald/mail-test-server';
import type { MailAccountInit } from '@herald/transport-email';
import { accountInit, startMailSystem, type MailSystem, pairOn } from './mail.js';
import { cleanup, envelope, party, recorder, routeOf, started, tagOf, transport, until } from './helpers.js';
import { exchangeBothWays } from '@herald/transport-compliance';

/**
 * How the channel talks to its servers, against a real Postfix + Dovecot:
 * every TLS flavour the URLs offer, certificates verified, STARTTLS insisted
 * on, and both ways of noticing new mail (IDLE push, polling).
 */
let mail: MailSystem;
beforeAll(async () => {
  mail = await startMailSystem({ domain: 'mission.test' });
}, 60_000);
afterAll(async () => {
  await mail?.close();
});

const pair = () => pairOn(mail);

/** The account without its `ca`, so only the system's CAs vouch for the server. */
function withoutCa(account: MailAccountInit | undefined): MailAccountInit {
  if (!account) throw new Error('withoutCa: accountInit gave no account');
  const { ca: _ca, ...rest } = account;
  return rest;
}

/** A plain TCP server that answers like a mail server offering no STARTTLS, and records every line a client writes. */
async function strippedServer(greeting: string, answer: (line: string, socket: Socket) => void): Promise<{ port: number; lines: string[]; server: Server }> {
  const lines: string[] = [];
  const server = createServer((socket) => {
    socket.write(greeting);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n'); end !== -1; end = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        lines.push(line);
        answer(line, socket);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup(() => new Promise((resolve) => server.close(resolve)));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, lines, server };
}

describe('email transport connections', () => {
  it('exchanges over SMTP with implicit TLS (smtps) and IMAP with STARTTLS (imap://), both verified against the CA', async () => {
    const { alice, bob, addresses, book } = pair();
    const flipped = (address: string) => {
      const base = accountInit(mail, address, book);
      return { ...base, smtp: { url: `smtps://127.0.0.1:${mail.smtp.securePort}`, user: address, password: mail.password, ca: mail.ca }, imap: { url: `imap://127.0.0.1:${mail.imap.port}`, user: address, password: mail.password, ca: mail.ca } };
    };
    const a = transport(flipped(addresses.alice));
    const b = transport(flipped(addresses.bob));
    const [atAlice, atBob] = [await started(a, alice), await started(b, bob)];
    const toBob = envelope(alice, bob);
    const toAlice = envelope(bob, alice);
    await exchangeBothWays({ a, atAlice, b, atBob, toBob, toAlice });
  });

  it('refuses servers whose certificate it cannot verify: SMTP send fails and health stays down, IMAP never comes up', async () => {
    const { alice, bob, addresses, book } = pair();
    const base = accountInit(mail, addresses.alice, book);
    // No `ca`: the system's CAs do not know the test certificate.
    const untrusted = transport({ ...base, smtp: withoutCa(base.smtp), imap: withoutCa(base.imap) });
    const events: TransportEvent[] = [];
    untrusted.subscribe((event) => events.push(event));
    await untrusted.start({ routingTags: [tagOf(alice)], deliver: async () => undefined });
    expect(untrusted.health().state).toBe('down');
    const bytes = envelope(alice, bob);
    const error = await untrusted.send(bytes, routeOf(bytes)).then(() => undefined, (failure: unknown) => failure as { code: string; retryable: boolean; message: string });
    expect(error?.code, error?.message).toBe('CHANNEL_UNAVAILABLE');
    const { smtp: _smtp, ...withoutSmtp } = base;
    const imapOnly = transport({ ...withoutSmtp, imap: withoutCa(base.imap) });
    await imapOnly.start({ routingTags: [tagOf(alice)], deliver: async () => undefined });
    expect(imapOnly.health().state).toBe('down');
    expect(imapOnly.health().reason).toMatch(/^IMAP: .*certificate/i);
  });

  it('insists on STARTTLS: against an SMTP server that does not offer it, no AUTH and no mail are sent in cleartext', async () => {
    const { alice, bob } = pair();
    const fake = await strippedServer('220 mail.mission.test ESMTP\r\n', (line, socket) => {
      if (/^EHLO /i.test(line)) socket.write('250-mail.mission.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n');
      else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
      else socket.write('530 5.7.0 go ahead, I am listening\r\n');
    });
    const password = 'stripped-secret-0815';
    const a = transport({ address: 'alice@mission.test', smtp: { url: `smtp://127.0.0.1:${fake.port}`, user: 'alice@mission.test', password }, addressBook: { [tagOf(bob)]: 'bob@mission.test' }, timeoutMs: 2_000 });
    await a.start({ routingTags: [tagOf(alice)], deliver: async () => undefined });
    const bytes = envelope(alice, bob);
    const error = await a.send(bytes, routeOf(bytes)).then(() => undefined, (failure: unknown) => failure as { code: string; message: string });
    expect(error, 'the send must fail').toBeDefined();
    expect(fake.lines.some((line) => /^EHLO /i.test(line)), 'the client did talk to the fake server').toBe(true);
    // Asking for STARTTLS is fine (the fake refuses it); AUTH, MAIL, RCPT or DATA in cleartext are not.
    expect(fake.lines.filter((line) => !/^(EHLO|STARTTLS|QUIT)/i.test(line)), 'commands besides EHLO, STARTTLS and QUIT').toEqual([]);
    expect(fake.lines.join('\n')).not.toContain(Buffer.from(password).toString('base64').slice(0, 12));
  });

  it('insists on STARTTLS: against an IMAP server that does not offer it, the password is never sent', async () => {
    const { bob } = pair();
    const fake = await strippedServer('* OK IMAP4rev1 ready\r\n', (line, socket) => {
      const [tag, command] = line.split(' ');
      if (/^CAPABILITY$/i.test(command ?? '')) socket.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE\r\n${tag} OK done\r\n`);
      else if (/^LOGOUT$/i.test(command ?? '')) socket.end(`* BYE\r\n${tag} OK bye\r\n`);
      else socket.write(`${tag} OK whatever you say\r\n`);
    });
    const password = 'stripped-secret-4711';
    const b = transport({ address: 'bob@mission.test', imap: { url: `imap://127.0.0.1:${fake.port}`, user: 'bob@mission.test', password }, timeoutMs: 2_000, maxReconnectDelayMs: 200 });
    await b.start({ routingTags: [tagOf(bob)], deliver: async () => undefined });
    await until('a second connection attempt', () => fake.lines.filter((line) => /CAPABILITY/i.test(line)).length >= 2, 10_000);
    expect(b.health().state).toBe('down');
    expect(fake.lines.filter((line) => /LOGIN|AUTHENTICATE|SELECT|EXAMINE/i.test(line)), 'commands that need a protected session').toEqual([]);
    expect(fake.lines.join('\n')).not.toContain(password);
    expect(fake.lines.join('\n')).not.toContain(Buffer.from(password).toString('base64').slice(0, 12));
  });

  it('IDLE pushes new mail: with scans an hour apart, a mail sent after the receiver came up arrives at once', async () => {
    const { alice, bob, addresses, book } = pair();
    const a = transport(accountInit(mail, addresses.alice, book));
    await started(a, alice);
    const b = transport(accountInit(mail, addresses.bob, book, { idle: true, pollIntervalMs: 3_600_000 }));
    expect(b.capabilities.delivery).toBe('push');
    const atBob = await started(b, bob);
    const bytes = envelope(alice, bob);
    await a.send(bytes, routeOf(bytes));
    // Only an IDLE notification can start a scan before the hour is up.
    await until('the envelope, pushed by IDLE', () => atBob.ids.has(envelopeId(bytes)), 30_000);
  });

  it('polls without IDLE: idle: false scans every pollIntervalMs and collects mail sent meanwhile', async () => {
    const { alice, bob, addresses, book } = pair();
    const a = transport(accountInit(mail, addresses.alice, book));
    await started(a, alice);
    const b = transport(accountInit(mail, addresses.bob, book, { idle: false, pollIntervalMs: 1_000 }));
    expect(b.capabilities.delivery).toBe('poll');
    const atBob = await started(b, bob, recorder());
    const sent = [envelope(alice, bob), envelope(alice, bob), envelope(alice, bob)];
    for (const bytes of sent) await a.send(bytes, routeOf(bytes));
    await until('three envelopes, found by polling', () => sent.every((bytes) => atBob.ids.has(envelopeId(bytes))), 30_000);
    expect(atBob.offers).toBe(3);
  });

  // Last: Dovecot slows every later login from 127.0.0.1 for a while after failed ones (its auth penalty).
  it('maps IMAP failures onto core codes: a wrong password is one CHANNEL_REJECTED (not retryable, no password) however often it recurs; no server is CHANNEL_UNAVAILABLE', async () => {
    const { bob, addresses, book } = pair();
    const base = accountInit(mail, addresses.bob, book, { maxReconnectDelayMs: 200 });
    const wrong = 'not-the-imap-password-0042';
    const b = transport({ ...base, smtp: undefined as never, imap: { ...base.imap!, password: wrong } });
    const errors: TransportError[] = [];
    b.subscribe((event) => void (event.type === 'error' && errors.push(event.error as TransportError)));
    await b.start({ routingTags: [tagOf(bob)], deliver: async () => undefined });
    const user = addresses.bob.slice(0, addresses.bob.indexOf('@'));
    const refusals = async (): Promise<number> => (await readFile(join(mail.dir, 'dovecot', 'dovecot.log'), 'utf8')).split('\n').filter((line) => line.includes('auth failed') && line.includes(user)).length;
    await until('Dovecot to refuse the login three times', async () => (await refusals()) >= 3, 30_000);
    expect(b.health()).toMatchObject({ state: 'down', reason: 'IMAP: authentication failed' });
    expect(errors.map((error) => [error.code, error.retryable]), 'one error event for the lasting refusal').toEqual([['CHANNEL_REJECTED', false]]);
    expect(errors[0]).toBeInstanceOf(TransportError);
    expect(errors[0]!.message).not.toContain(wrong);

    const nowhere = await freePort();
    const c = transport({ address: addresses.bob, imap: { host: '127.0.0.1', port: nowhere, security: 'tls', user: addresses.bob, password: mail.password, ca: mail.ca }, maxReconnectDelayMs: 200 });
    const lost: TransportError[] = [];
    c.subscribe((event) => void (event.type === 'error' && lost.push(event.error as TransportError)));
    await c.start({ routingTags: [tagOf(bob)], deliver: async () => undefined });
    expect(c.health().state).toBe('down');
    expect(lost.map((error) => [error.code, error.retryable])).toEqual([['CHANNEL_UNAVAILABLE', true]]);
  });
});
