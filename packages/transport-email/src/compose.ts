import { randomBytes } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer/lib/mailer';
import type { Camouflage } from './init.js';

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
 * One mail carrying one envelope. The headers say no more than the mail system
 * needs: From and To are bare mailbox addresses (a display name only if
 * configured), the Subject is the configured one or absent, the Message-ID is
 * random (never the envelope's id, which would link copies across channels),
 * the MIME boundary is random (nodemailer's default names nodemailer), and no
 * X-Mailer or Herald header is added. The routing tags stay inside the
 * envelope, where the receiver reads them: no header carries them.
 */
export function composeMail(envelope: Uint8Array, options: ComposeOptions): SendMailOptions {
  const { camouflage } = options;
  const domain = options.from.slice(options.from.indexOf('@') + 1);
  const mail: SendMailOptions = {
    from: camouflage.fromName ? { name: camouflage.fromName, address: options.from } : options.from,
    to: options.to,
    envelope: { from: options.from, to: [options.to] },
    messageId: `<${randomBytes(16).toString('hex')}@${domain}>`,
    boundaryPrefix: `----${randomBytes(6).toString('hex')}`,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  if (camouflage.subject !== undefined) mail.subject = camouflage.subject;
  const body = camouflage.bodyText ?? '';
  if (options.format === 'armored') {
    // The envelope's base64 is the last paragraph of a plain-text body; the receiver recognises it by decoding, not by a marker line.
    mail.text = `${body.length > 0 ? `${body.replace(/\s+$/, '')}\n\n` : ''}${base64Lines(envelope)}\n`;
    return mail;
  }
  if (body.length > 0) mail.text = body;
  mail.attachments = [
    {
      filename: camouflage.attachmentName ?? `${randomBytes(4).toString('hex')}.bin`,
      content: Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength),
      contentType: 'application/octet-stream',
      contentTransferEncoding: 'base64',
    },
  ];
  return mail;
}
