import { describe, expect, it } from 'vitest';
import { clientMail, composeMail, TEMPLATE_LANGUAGES, type ClientMessage } from '@herald/transport-email';
import { mailFeatures } from './mail-features.js';
import { envelope, party } from './helpers.js';

/**
 * Herald's mails against ordinary mail written with the same client (the same library and client shape, the
 * same attachments): no header, boundary, file name or structural feature may be common to all of Herald's mails
 * and absent from every ordinary one. The ordinary corpus is what people write: their own subjects and words,
 * their devices' file names, sometimes a display name, sometimes no attachment or two.
 */
const FROM = 'anna.keller@ops.example';
const TO = 'bob@mission.example';
const COUNT = 200;

const SUBJECTS = ['lunch?', 'Re: Budget 2027', 'Fotos vom Wochenende', 'contract – final version', 'Fwd: Invoice #20931', 'Scan', 'notes', 'Réunion de jeudi', 'the file', 'Re: Re: planning', 'Документы', 'CV', 'Hi', 'photos from the trip', 'Tabelle', 'Quick favour', 'minutes 3 Dec', 'Entwurf', 'Re: question about the attachment', 'slides'];
const BODIES = [
  'see attached',
  'Hi Bob,\n\nhere are the photos from Saturday. The last one is blurry, sorry!\n\nAnna\n',
  'Hallo,\n\nanbei die Tabelle. Bitte bis Freitag prüfen.\n\nGruß\nAnna',
  'Hey,\nthe contract is attached, pages 3 and 4 changed.\nA.\n',
  'Bonjour Bob,\n\nle compte-rendu de la réunion est en pièce jointe.\n\nBonne journée\nAnna\n',
  'Sent from my phone',
  'Hi,\n\nCould you print this for tomorrow?\n\nThanks a lot,\nAnna Keller\nOps team\n',
  'Привет,\n\nдокументы во вложении.\n\nАнна\n',
  'Here you go.\n',
  'Hello,\n\nattached is my CV as discussed on the phone.\n\nKind regards,\nAnna Keller',
];
const FILE_NAMES = ['IMG_20261203_101512.jpg', 'IMG_4411.jpg', 'Scan_20261201_093312.pdf', 'scan0001.pdf', 'Rechnung Dezember.pdf', 'contract final v3.docx', 'Budget_2027-01.xlsx', 'CV_Anna_Keller.pdf', 'minutes_2026-12-03.pdf', 'Notizen 01.12.2026.pdf', 'photos.zip', 'Tabelle1.xlsx', 'Bericht.docx', 'report_v2.docx', 'archive_20261130.zip', 'IMG_0032.JPG', 'slides.pdf', 'Protokoll.odt'];
const TYPES: Readonly<Record<string, string>> = { jpg: 'image/jpeg', pdf: 'application/pdf', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', zip: 'application/zip', odt: 'application/vnd.oasis.opendocument.text' };

const [alice, bob] = [party('alice'), party('bob')];
const attachments = Array.from({ length: COUNT }, () => Buffer.from(envelope(alice, bob)));

function ordinary(index: number): ClientMessage {
  const file = (offset: number): ClientMessage['attachments'][number] => {
    const filename = FILE_NAMES[(index + offset) % FILE_NAMES.length]!;
    return { filename, contentType: TYPES[filename.split('.').pop()!.toLowerCase()] ?? 'application/octet-stream', content: attachments[index]! };
  };
  // Most people's mail here carries one file; some none, some two.
  const files = index % 10 === 3 ? [] : index % 10 === 7 ? [file(0), file(5)] : [file(0)];
  return {
    from: index % 3 === 0 ? { name: 'Anna Keller', address: FROM } : FROM,
    to: TO,
    subject: SUBJECTS[index % SUBJECTS.length]!,
    text: BODIES[(index * 7) % BODIES.length]!,
    language: ['en-US', 'de-DE', 'fr-FR', 'en-GB'][index % 4]!,
    attachments: files,
  };
}

async function heraldMail(index: number, camouflage = {}): Promise<string> {
  const mail = await composeMail(attachments[index]!, { from: FROM, to: TO, format: 'attachment', camouflage });
  return (mail.raw as Buffer).toString('utf8');
}

describe('Herald mails among ordinary mail from the same client', () => {
  it('share no feature that every Herald mail has and no ordinary mail has (200 each, same attachments)', async () => {
    const herald = await Promise.all(Array.from({ length: COUNT }, (_, index) => heraldMail(index)));
    const people = await Promise.all(Array.from({ length: COUNT }, async (_, index) => (await clientMail(ordinary(index))).toString('utf8')));
    const heraldFeatures = herald.map(mailFeatures);
    const ordinaryFeatures = people.map(mailFeatures);
    const constant = [...heraldFeatures[0]!].filter((feature) => heraldFeatures.every((features) => features.has(feature)));
    expect(constant.length, 'the comparison looks at something').toBeGreaterThan(10);
    const giveaways = constant.filter((feature) => !ordinaryFeatures.some((features) => features.has(feature)));
    expect(giveaways, 'features common to all of Herald’s mails and absent from ordinary mail').toEqual([]);
  });

  it('varies what a filter could match on: Message-ID, boundary, subject, body, file name and type', async () => {
    const herald = await Promise.all(Array.from({ length: COUNT }, (_, index) => heraldMail(index)));
    const distinct = (pattern: RegExp): number => new Set(herald.map((raw) => pattern.exec(raw)?.[1])).size;
    expect(distinct(/^Message-ID: <([^>]+)>/m)).toBe(COUNT);
    expect(distinct(/boundary="([^"]+)"/)).toBe(COUNT);
    expect(distinct(/^Subject: (.+)$/m)).toBeGreaterThan(4);
    expect(distinct(/format=flowed\r?\n(?:Content-Transfer-Encoding: \S+\r?\n)?\r?\n([\s\S]*?)\r?\n--/)).toBeGreaterThan(3);
    expect(distinct(/filename="?([^"\r\n]+)/)).toBeGreaterThan(50);
    expect(distinct(/^Content-Type: ([a-z]+\/[a-z.-]+); name=/m)).toBeGreaterThan(3);
    for (const raw of herald) expect(raw).not.toMatch(/herald|nodemailer|_NmP|X-Mailer|\.bin\b/i);
  });

  it('writes each language of the built-in templates and declares it', async () => {
    for (const language of TEMPLATE_LANGUAGES) {
      const raw = await heraldMail(0, { language });
      expect(raw).toMatch(new RegExp(`^Content-Language: ${language}-[A-Z]{2}\\r?$`, 'm'));
      expect(raw).toMatch(/^Subject: \S/m);
    }
  });

  it('uses the operator’s subjects, bodies and file names, filling in the placeholders', async () => {
    const camouflage = { fromName: 'Maria Lopez', subjects: ['Fotos {date}'], bodies: ['Hola,\n\naquí {file}.\n\n{sender}'], attachmentNames: ['fotos.zip'], language: 'es' as const };
    const raw = await heraldMail(1, camouflage);
    expect(raw).toMatch(/^From: Maria Lopez <anna\.keller@ops\.example>\r?$/m);
    expect(raw).toMatch(/^Subject: Fotos \d{1,2} de [a-z]+\r?$/m);
    expect(raw).toContain('Content-Type: application/zip; name=fotos.zip');
    expect(raw).toMatch(/aqu(í|=C3=AD) fotos\.zip\./);
    expect(raw).toMatch(/\r?\nMaria\r?\n/);
  });
});
