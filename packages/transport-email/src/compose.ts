import type { SendMailOptions } from 'nodemailer/lib/mailer';
import type { Camouflage } from './init.js';
import { clientMail } from './mail-client.js';
import { disguise } from './mail-disguise.js';

/** Base64 lines of 76 characters: what MIME allows, and what mail software writes itself. */
const LINE = 76;

export function base64Lines(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const lines: string[] = [];
  for (let index = 0; index < text.length; index += LINE) lines.push(text.slice(index, index + LINE));
  return lines.join('\n');
}

export interface ComposeOptions {
  readonly from: string;
  readonly to: string;
  readonly format: 'attachment' | 'armored';
  readonly camouflage: Camouflage;
}

/**
 * One mail carrying one envelope, written as a person writes mail in a common client (mail-client.ts): a subject
 * and a short body drawn per mail (mail-disguise.ts), the envelope attached as a plausibly named file of a
 * plausible media type, or (armored) as the last base64 paragraph of the body. The Message-ID and boundary are
 * random per mail (never the envelope's id, which would link copies across channels); no header names Herald,
 * carries a routing tag or differs from what the client puts in anyone's mail.
 */
export async function composeMail(envelope: Uint8Array, options: ComposeOptions): Promise<SendMailOptions> {
  const { camouflage } = options;
  const words = disguise(camouflage, options.format === 'attachment');
  const bytes = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  const raw = await clientMail({
    from: camouflage.fromName ? { name: camouflage.fromName, address: options.from } : options.from,
    to: options.to,
    subject: words.subject,
    language: words.language,
    // The receiver recognises the envelope by decoding it, not by a marker line or a name.
    text: options.format === 'armored' ? `${words.text}\n${base64Lines(envelope)}\n` : words.text,
    attachments: options.format === 'armored' ? [] : [{ filename: words.filename, contentType: words.contentType, content: bytes }],
  });
  return { envelope: { from: options.from, to: [options.to] }, raw };
}
