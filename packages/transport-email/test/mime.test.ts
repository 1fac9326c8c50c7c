import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { armorEnvelope, envelopeId } from '@herald/core';
import { composeMail, encodedSize, envelopeCandidates, envelopeFromText } from '@herald/transport-email';
import { envelope, party } from './helpers.js';

/** Renders a composed mail to its raw text, as it would go over SMTP. */
async function render(mail: Awaited<ReturnType<typeof composeMail>>): Promise<string> {
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = await stream.sendMail(mail);
  return (info.message as Buffer).toString('latin1');
}

describe('mail composition and recognition', () => {
  const [alice, bob] = [party('alice'), party('bob')];

  it('composes a client-shaped attachment mail: bare address, random ids and boundaries, a subject, no marker', async () => {
    const bytes = envelope(alice, bob);
    const raw = await render(await composeMail(bytes, { from: 'alice@ops.example', to: 'bob@mission.example', format: 'attachment', camouflage: {} }));
    const again = await render(await composeMail(bytes, { from: 'alice@ops.example', to: 'bob@mission.example', format: 'attachment', camouflage: {} }));
    expect(raw).toMatch(/^From: alice@ops\.example$/m);
    expect(raw).toMatch(/^Subject: \S/m);
    expect(raw).toMatch(/^User-Agent: Mozilla Thunderbird$/m);
    // Nodemailer's marks (its boundary's `_NmP-`, X-Mailer) and Herald's name, anywhere but in the attachment's base64
    // lines, where random bytes spell any three letters now and then (`NmP` alone matched about one mail in fifty).
    const outsideBase64 = raw.split('\n').filter((line) => !/^[A-Za-z0-9+/]+={0,2}\r?$/.test(line)).join('\n');
    expect(outsideBase64).not.toMatch(/_NmP-|nodemailer|herald|X-Mailer/i);
    expect(raw).toMatch(/^Message-ID: <[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}@ops\.example>$/m);
    const boundary = (text: string): string | undefined => /boundary="([^"]+)"/.exec(text)?.[1];
    expect(boundary(raw)).toMatch(/^-{12}[A-Za-z0-9]{24}$/);
    expect(boundary(raw)).not.toBe(boundary(again));
    expect(raw).not.toContain(envelopeId(bytes));
  });

  it('finds the envelope in a text body: the last base64 paragraph, or a BEGIN/END armored block; nothing in look-alikes', async () => {
    const bytes = envelope(alice, bob);
    const armored = await render(await composeMail(bytes, { from: 'a@x.example', to: 'b@x.example', format: 'armored', camouflage: { bodyText: 'Figures below.\n\nQWxpY2U=' } }));
    const found = envelopeFromText(armored.slice(armored.indexOf('\n\n')));
    expect(found && Buffer.from(found).equals(Buffer.from(bytes))).toBe(true);
    const pasted = envelopeFromText(`Hi Bob,\n\n${armorEnvelope(bytes)}\nCheers`);
    expect(pasted && Buffer.from(pasted).equals(Buffer.from(bytes))).toBe(true);
    expect(envelopeFromText('See you at noon.\n\nQWxpY2UgYW5kIEJvYg==\n')).toBeUndefined();
    expect(envelopeFromText('')).toBeUndefined();
  });

  it('picks candidate parts from BODYSTRUCTURE by size only, whatever their name and type (text last), at most three', () => {
    const limit = 1024;
    const structure = {
      type: 'multipart/mixed',
      childNodes: [
        { part: '1', type: 'text/plain', size: 20 },
        { part: '2', type: 'application/octet-stream', size: encodedSize(limit) },
        { part: '3', type: 'application/octet-stream', size: encodedSize(limit) + 5000 },
        { part: '4', type: 'image/png', size: 100 },
        { part: '5', type: 'message/rfc822', size: 100, childNodes: [{ part: '5.1', type: 'application/octet-stream', size: 10 }] },
      ],
    };
    expect(envelopeCandidates(structure, limit).map((candidate) => candidate.part)).toEqual(['2', '4', '1']);
    expect(envelopeCandidates({ type: 'image/jpeg', size: 100 }, limit)).toEqual([{ part: '1', kind: 'binary', size: 100 }]);
    expect(envelopeCandidates({ type: 'text/html', size: 100 }, limit)).toEqual([]);
    expect(envelopeCandidates({ type: 'application/octet-stream', size: 100 }, limit)).toEqual([{ part: '1', kind: 'binary', size: 100 }]);
    expect(envelopeCandidates(undefined, limit)).toEqual([]);
  });
});
