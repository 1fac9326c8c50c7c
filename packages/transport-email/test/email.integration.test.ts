import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeId, toHex } from '@herald/core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { accountInit, startMailSystem, type MailSystem, pairOn } from './mail.js';
import { append, envelope, party, pause, peek, routeOf, sendPersistently, started, tagOf, transport, until } from './helpers.js';
import { exchangeBothWays } from '@herald/transport-compliance';

/** The e-mail transport against a real Postfix + Dovecot (loopback, their own config in a temp folder). */
let mail: MailSystem;
beforeAll(async () => {
  mail = await startMailSystem({ domain: 'mission.test', messageSizeLimit: 2_000_000 });
}, 60_000);
afterAll(async () => {
  await mail?.close();
});

/** How many mails Dovecot's LMTP stored for this mailbox, from its log (the local part names the user). */
async function deliveriesTo(address: string): Promise<number> {
  const log = await readFile(join(mail.dir, 'dovecot', 'dovecot.log'), 'utf8');
  const user = address.slice(0, address.indexOf('@'));
  return log.split('\n').filter((line) => line.includes(`lmtp(${user})`) && line.includes('saved mail to')).length;
}

const pair = () => pairOn(mail);

describe('email transport through Postfix and Dovecot', () => {
  it('exchanges envelopes both ways, and leaves nothing on the server', async () => {
    const { alice, bob, addresses, book } = pair();
    const a = transport(accountInit(mail, addresses.alice, book));
    const b = transport(accountInit(mail, addresses.bob, book));
    const [atAlice, atBob] = [await started(a, alice), await started(b, bob)];
    const toBob = envelope(alice, bob);
    const toAlice = envelope(bob, alice);
    await exchangeBothWays({ a, atAlice, b, atBob, toBob, toAlice });
    expect(Buffer.from(atBob.received[0]!.bytes).equals(Buffer.from(toBob))).toBe(true);
    expect(atBob.received[0]!.channel).toBe(`email:${addresses.bob}`);
    await until('the delivered mail to be deleted from both mailboxes', async () => (await peek(mail, addresses.bob)).length === 0 && (await peek(mail, addresses.alice)).length === 0);
  });

  it('sends mail whose headers name only the two mailboxes: no Herald marker, tag, id, host name or library', async () => {
    const { alice, bob, addresses, book } = pair();
    const a = transport(accountInit(mail, addresses.alice, book));
    await started(a, alice);
    const bytes = envelope(alice, bob);
    await a.send(bytes, routeOf(bytes));
    await until('the mail in Bob’s mailbox', async () => (await peek(mail, addresses.bob)).length === 1);
    const [stored] = await peek(mail, addresses.bob);
    const headers = stored!.source.slice(0, stored!.source.indexOf('\r\n\r\n'));
    for (const secret of ['herald', tagOf(bob), tagOf(alice), envelopeId(bytes), 'nodemailer', 'imapflow', '_NmP', 'X-Mailer', 'alice (', 'bob (']) {
      expect(headers.toLowerCase(), `headers mention ${secret}`).not.toContain(secret.toLowerCase());
    }
    expect(headers).toMatch(new RegExp(`^From: ${addresses.alice.replace(/[.+]/g, '\\$&')}\\r?$`, 'm'));
    expect(headers).toMatch(new RegExp(`^To: ${addresses.bob.replace(/[.+]/g, '\\$&')}\\r?$`, 'm'));
    // Written like ordinary mail from a desktop client: a subject, a short body, the envelope as a named document.
    expect(headers).toMatch(/^Subject: \S/m);
    expect(headers).toMatch(/^User-Agent: Mozilla Thunderbird\r?$/m);
    // Names may hold spaces ("Report 07.12.2026.pdf", then quoted) and may be folded onto the next line.
    expect(stored!.source).toMatch(/Content-Disposition: attachment;\s+filename="?[^"\r\n]+\.(pdf|jpg|docx|xlsx|zip)"?\r?$/m);
    expect(stored!.source).not.toMatch(/octet-stream|\.bin\b/);
    // EHLO gave the mail domain, not this machine's name: that is what Postfix wrote into Received:.
    expect(headers).toMatch(/^Received: from mission\.test \(/m);
  });

  it('carries the envelope armored in the body with configured camouflage, and picks it out again', async () => {
    const { alice, bob, addresses, book } = pair();
    const camouflage = { subject: 'Weekly figures', fromName: 'Accounts', bodyText: 'Please find the figures below.\nRegards' };
    const a = transport(accountInit(mail, addresses.alice, book, { format: 'armored', camouflage }));
    await started(a, alice);
    const bytes = envelope(alice, bob);
    await a.send(bytes, routeOf(bytes));
    await until('the mail in Bob’s mailbox', async () => (await peek(mail, addresses.bob)).length === 1);
    const [stored] = await peek(mail, addresses.bob);
    expect(stored!.source).toContain('Subject: Weekly figures');
    expect(stored!.source).toContain(`From: Accounts <${addresses.alice}>`);
    expect(stored!.source).toContain('Please find the figures below.');
    expect(stored!.source).not.toMatch(/multipart|attachment/i);
    const b = transport(accountInit(mail, addresses.bob, book));
    const atBob = await started(b, bob);
    await until('the armored envelope at Bob', () => atBob.ids.has(envelopeId(bytes)));
    expect(Buffer.from(atBob.received[0]!.bytes).equals(Buffer.from(bytes))).toBe(true);
  });

  it('carries the envelope as an attachment under configured camouflage (subject, display name, body text, attachment name), and picks it out again', async () => {
    const { alice, bob, addresses, book } = pair();
    const camouflage = { subject: 'Site photos', fromName: 'Field Office', bodyText: 'Photos from today attached.', attachmentName: 'IMG_0412.dat' };
    const a = transport(accountInit(mail, addresses.alice, book, { camouflage }));
    await started(a, alice);
    const bytes = envelope(alice, bob);
    await a.send(bytes, routeOf(bytes));
    await until('the mail in Bob’s mailbox', async () => (await peek(mail, addresses.bob)).length === 1);
    const [stored] = await peek(mail, addresses.bob);
    expect(stored!.source).toContain('Subject: Site photos');
    expect(stored!.source).toContain(`From: Field Office <${addresses.alice}>`);
    expect(stored!.source).toContain('Photos from today attached.');
    expect(stored!.source).toMatch(/Content-Type: application\/octet-stream; name=IMG_0412\.dat/);
    expect(stored!.source).toMatch(/Content-Disposition: attachment; filename=IMG_0412\.dat/);
    const atBob = await started(transport(accountInit(mail, addresses.bob, book)), bob);
    await until('the envelope at Bob', () => atBob.ids.has(envelopeId(bytes)));
    expect(Buffer.from(atBob.received[0]!.bytes).equals(Buffer.from(bytes))).toBe(true);
  });

  it('leaves a mail on the server, unflagged, until deliver resolved: a refused delivery keeps it, a pending one keeps it, acceptance removes it', async () => {
    const { alice, bob, addresses, book } = pair();
    const a = transport(accountInit(mail, addresses.alice, book));
    await started(a, alice);
    const bytes = envelope(alice, bob);
    await a.send(bytes, routeOf(bytes));
    await until('the mail in Bob’s mailbox', async () => (await peek(mail, addresses.bob)).length === 1);
    let offers = 0;
    let release: (() => void) | undefined;
    const deliver = async (): Promise<void> => {
      offers++;
      // The first offer meets a store that fails; the second one a store still writing.
      if (offers === 1) throw new Error('store unavailable');
      await new Promise<void>((resolve) => (release = resolve));
    };
    const b = transport(accountInit(mail, addresses.bob, book, { pollIntervalMs: 200 }));
    await b.start({ routingTags: [tagOf(bob)], deliver });
    const untouched = async (): Promise<void> => {
      const held = await peek(mail, addresses.bob);
      expect(held, 'the mail is still in the mailbox').toHaveLength(1);
      expect([...held[0]!.flags], 'and carries no flag').toEqual([]);
    };
    await until('the first offer', () => offers >= 1);
    await untouched();
    await until('the offer after the refusal', () => release !== undefined, 20_000);
    // Several scans pass while the node is still storing: the mail stays, and is not offered a third time.
    await pause(1_500);
    await untouched();
    expect(offers).toBe(2);
    release!();
    await until('the mail removed once deliver resolved', async () => (await peek(mail, addresses.bob)).length === 0);
    expect(offers).toBe(2);
  });

  it('never touches other mail in the mailbox: plain mail, foreign attachments, look-alikes and other people’s envelopes stay unread', async () => {
    const { alice, bob, addresses, book } = pair();
    const carol = party('carol');
    const others = [
      `From: friend@example.org\nTo: ${addresses.bob}\nSubject: lunch\n\nSee you at noon.\n`,
      `From: friend@example.org\nTo: ${addresses.bob}\nSubject: file\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nattached\n--b\nContent-Type: application/octet-stream; name=x.bin\nContent-Transfer-Encoding: base64\n\n${Buffer.from('not an envelope at all').toString('base64')}\n--b--\n`,
      `From: friend@example.org\nTo: ${addresses.bob}\nSubject: numbers\n\n${Buffer.from(new Uint8Array(300).fill(1)).toString('base64')}\n`,
    ];
    for (const raw of others) await append(mail, addresses.bob, raw);
    // An envelope for Carol in Bob's mailbox (a shared mailbox): Bob's node must leave it for Carol's.
    const a = transport(accountInit(mail, addresses.alice, { ...book, [tagOf(carol)]: addresses.bob }));
    await started(a, alice);
    const forCarol = envelope(alice, carol);
    const forBob = envelope(alice, bob);
    await a.send(forCarol, routeOf(forCarol));
    await a.send(forBob, routeOf(forBob));
    await until('five mails in Bob’s mailbox', async () => (await peek(mail, addresses.bob)).length === 5);
    const atBob = await started(transport(accountInit(mail, addresses.bob, book)), bob);
    await until('Bob’s envelope', () => atBob.ids.has(envelopeId(forBob)));
    await until('Bob’s mail removed', async () => (await peek(mail, addresses.bob)).length === 4);
    await pause(500);
    expect(atBob.offers).toBe(1);
    const left = await peek(mail, addresses.bob);
    expect(left.every((stored) => stored.flags.size === 0), 'no flag set on other mail').toBe(true);
    // Carol, started on the shared mailbox, collects hers.
    const atCarol = await started(transport(accountInit(mail, addresses.bob, book)), carol);
    await until('Carol’s envelope', () => atCarol.ids.has(envelopeId(forCarol)));
    await until('Carol’s mail removed', async () => (await peek(mail, addresses.bob)).length === 3);
  });

  it('marks processed mail as configured: flagged \\Seen and kept, or moved to a folder', async () => {
    for (const processed of [{ action: 'flag' }, { action: 'move', mailbox: 'Processed' }] as const) {
      const { alice, bob, addresses, book } = pair();
      const a = transport(accountInit(mail, addresses.alice, book));
      await started(a, alice);
      const bytes = envelope(alice, bob);
      await a.send(bytes, routeOf(bytes));
      const b = transport(accountInit(mail, addresses.bob, book, { processed }));
      const atBob = await started(b, bob);
      await until('the envelope', () => atBob.ids.has(envelopeId(bytes)));
      if (processed.action === 'flag') {
        await until('the mail flagged \\Seen and kept', async () => (await peek(mail, addresses.bob)).some((stored) => stored.flags.has('\\Seen')));
      } else {
        await until('the mail moved', async () => (await peek(mail, addresses.bob, 'Processed')).length === 1);
        expect(await peek(mail, addresses.bob)).toEqual([]);
      }
      // A restarted receiver does not take a processed mail for new.
      await b.stop();
      const again = await started(transport(accountInit(mail, addresses.bob, book, { processed })), bob);
      const next = envelope(alice, bob);
      await a.send(next, routeOf(next));
      await until('the next envelope', () => again.ids.has(envelopeId(next)));
      await pause(300);
      expect(again.offers, `${processed.action}: only the new mail is offered after a restart`).toBe(1);
    }
  });

  it('holds mail for an offline recipient, who collects each envelope once when it comes online', async () => {
    const { alice, bob, addresses, book } = pair();
    const a = transport(accountInit(mail, addresses.alice, book));
    await started(a, alice);
    const sent = Array.from({ length: 20 }, () => envelope(alice, bob));
    for (const bytes of sent) await a.send(bytes, routeOf(bytes));
    const atBob = await started(transport(accountInit(mail, addresses.bob, book)), bob);
    await until('all 20 held envelopes', () => atBob.ids.size === 20);
    await pause(500);
    expect(atBob.offers, 'each offered exactly once').toBe(20);
  });

  it('IMAP server down, then up: mail accepted before arrives later, and the receiver reconnects by itself', async () => {
    const { alice, bob, addresses, book } = pair();
    const a = transport(accountInit(mail, addresses.alice, book));
    await started(a, alice);
    const sent = Array.from({ length: 5 }, () => envelope(alice, bob));
    for (const bytes of sent) await a.send(bytes, routeOf(bytes));
    await until('the 5 mails stored', async () => (await peek(mail, addresses.bob)).length === 5);
    await mail.stopImap();
    try {
      const b = transport(accountInit(mail, addresses.bob, book));
      const atBob = await (async () => {
        const box = (await import('./helpers.js')).recorder();
        await b.start({ routingTags: [tagOf(bob)], deliver: box.deliver });
        return box;
      })();
      expect(b.health().state, 'started while the IMAP server is down').not.toBe('up');
      // Postfix authenticates through Dovecot: a new submission connection fails retryably (454), while a pooled,
      // already authenticated one is still accepted into Postfix's queue (and must then arrive as well).
      const late = envelope(alice, bob);
      const error = await a.send(late, routeOf(late)).then(() => undefined, (failure: unknown) => failure as { code: string; retryable: boolean });
      if (error) expect(error.retryable, `a send while Dovecot is away: ${JSON.stringify(error)}`).toBe(true);
      const expected = error ? 5 : 6;
      await pause(300);
      expect(atBob.offers).toBe(0);
      await mail.startImap();
      await until(`all ${expected} envelopes after the restart`, () => atBob.ids.size === expected, 30_000).catch(async (failure: Error) => {
        const tail = (await mail.logs()).split('\n').filter((line) => /status=|lmtp|warning|error/i.test(line)).slice(-15).join('\n');
        throw new Error(`${failure.message}: ${atBob.ids.size} arrived, ${atBob.offers} offers, the late send ${error ? `refused (${error.code})` : 'accepted'}, Bob's health ${JSON.stringify(b.health())}, ${(await peek(mail, addresses.bob)).length} mails in his mailbox, ${await deliveriesTo(addresses.bob)} stored by Dovecot\n${tail}`);
      });
      await until('Bob’s channel up again', () => b.health().state === 'up');
    } finally {
      await mail.startImap();
    }
  });

  it('restarting the IMAP server mid-stream loses nothing and offers nothing twice', async () => {
    const { alice, bob, addresses, book } = pair();
    const a = transport(accountInit(mail, addresses.alice, book));
    const b = transport(accountInit(mail, addresses.bob, book));
    await started(a, alice);
    const atBob = await started(b, bob);
    const sent = Array.from({ length: 40 }, () => envelope(alice, bob));
    // A new submission connection authenticates through Dovecot: while it restarts, Postfix answers 454 (retryable).
    const sending = (async () => {
      for (const bytes of sent) await sendPersistently(a, bytes);
    })();
    await until('some envelopes through', () => atBob.ids.size >= 8);
    await mail.stopImap();
    await pause(300);
    await mail.startImap();
    await sending;
    await until('all 40 envelopes', () => atBob.ids.size === 40, 40_000).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${atBob.ids.size} arrived, ${atBob.offers} offers, Bob's health ${JSON.stringify(b.health())}, ${(await peek(mail, addresses.bob)).length} mails in his mailbox, ${await deliveriesTo(addresses.bob)} stored by Dovecot`);
    });
    // Each mail Dovecot stored is offered exactly once. Dovecot may store one twice: when the restart cuts an
    // LMTP session after the save but before Postfix read the reply, Postfix delivers it again (the node deduplicates),
    // and that copy may land a moment after the last new envelope: wait until every stored mail was offered and
    // removed, then check that it stays so.
    const settled = async (): Promise<boolean> => atBob.offers === (await deliveriesTo(addresses.bob)) && (await peek(mail, addresses.bob)).length === 0;
    await until('every stored mail offered once and removed', settled, 20_000).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${atBob.offers} offers, ${await deliveriesTo(addresses.bob)} stored by Dovecot, ${(await peek(mail, addresses.bob)).length} mails left in the mailbox`);
    });
    await pause(1_000);
    const stored = await deliveriesTo(addresses.bob);
    expect(stored).toBeGreaterThanOrEqual(40);
    expect(atBob.offers, 'offers: one per stored mail').toBe(stored);
    expect(await peek(mail, addresses.bob)).toEqual([]);
  });

  it('SMTP server down: send fails retryably and health goes down; back up: health recovers and sends work', async () => {
    const { alice, bob, addresses, book } = pair();
    const a = transport(accountInit(mail, addresses.alice, book));
    await started(a, alice);
    await mail.stopSmtp();
    try {
      const bytes = envelope(alice, bob);
      const error = await a.send(bytes, routeOf(bytes)).then(() => undefined, (failure: unknown) => failure as { code: string; retryable: boolean });
      expect(error?.code).toBe('CHANNEL_UNAVAILABLE');
      expect(error?.retryable).toBe(true);
      expect(a.health().state).toBe('down');
      expect(a.health().reason).toMatch(/^SMTP: /);
    } finally {
      await mail.startSmtp();
    }
    await until('health back up', () => a.health().state === 'up', 20_000);
    const bytes = envelope(alice, bob);
    await a.send(bytes, routeOf(bytes));
  });

  it('maps SMTP refusals: a wrong password is CHANNEL_REJECTED (not retryable, no password in the message); a 552 size refusal is CHANNEL_TOO_SMALL', async () => {
    const { alice, bob, addresses, book } = pair();
    const base = accountInit(mail, addresses.alice, book);
    const wrong = 'not-the-password-4711';
    const a = transport({ ...base, smtp: { ...base.smtp!, password: wrong }, imap: undefined as never });
    await a.start({ routingTags: [tagOf(alice)], deliver: async () => undefined });
    expect(a.health().state).toBe('down');
    const bytes = envelope(alice, bob);
    const refused = await a.send(bytes, routeOf(bytes)).then(() => undefined, (failure: unknown) => failure as Error & { code: string; retryable: boolean });
    expect(refused?.code).toBe('CHANNEL_REJECTED');
    expect(refused?.retryable).toBe(false);
    expect(refused?.message).not.toContain(wrong);
    expect(a.health().reason).not.toContain(wrong);

    // Postfix here takes 2 000 000 bytes; this channel believes in 3 MiB: the server's 552 is the answer.
    const big = transport(accountInit(mail, addresses.alice, book, { maxEnvelopeBytes: 3 * 1024 * 1024 }));
    await started(big, alice);
    const { seal } = await import('@herald/core');
    const large = seal(new Uint8Array(1_600_000), { from: alice, to: bob.card, pad: false, maxPlaintextBytes: 2_000_000 });
    const tooBig = await big.send(large, routeOf(large)).then(() => undefined, (failure: unknown) => failure as Error & { code: string; retryable: boolean });
    expect(tooBig?.code, tooBig?.message).toBe('CHANNEL_TOO_SMALL');
    expect(tooBig?.retryable).toBe(false);
  });

  it('refuses routes it has no address for, and sends on a receive-only channel, without retry', async () => {
    const { alice, bob, addresses } = pair();
    const a = transport(accountInit(mail, addresses.alice, {}));
    await started(a, alice);
    const bytes = envelope(alice, bob);
    const error = await a.send(bytes, routeOf(bytes)).then(() => undefined, (failure: unknown) => failure as { code: string; retryable: boolean; message: string });
    expect(error).toMatchObject({ code: 'CHANNEL_REJECTED', retryable: false });
    expect(error?.message).toContain(toHex(bob.card.routingTag));
    const base = accountInit(mail, addresses.alice, {});
    const { smtp: _smtp, ...receiveOnly } = base;
    const r = transport(receiveOnly);
    await started(r, alice);
    const again = await r.send(bytes, routeOf(bytes)).then(() => undefined, (failure: unknown) => failure as { code: string; retryable: boolean });
    expect(again).toMatchObject({ code: 'CHANNEL_REJECTED', retryable: false });
  });
});
