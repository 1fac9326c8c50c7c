import { randomInt, randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type MimeNode from 'nodemailer/lib/mime-node';

/**
 * A mail as a person writes it in a common desktop client: nodemailer builds it, shaped like Thunderbird's mail
 * (a `<uuid@domain>` Message-ID, `User-Agent` and `Content-Language`, a `------------` boundary of 24 random
 * letters and digits, a format=flowed UTF-8 text part, then the attachments). Herald's mails are built by
 * this and nothing else, so they differ from a person's mail written with it only in their words and files.
 */
export interface ClientMessage {
  readonly from: string | { readonly name: string; readonly address: string };
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** BCP 47 tag, e.g. `en-US`: the client's spelling language, which it declares. */
  readonly language: string;
  readonly attachments: readonly { readonly filename: string; readonly contentType: string; readonly content: Buffer }[];
}

/** What the client says it is. */
export const CLIENT_USER_AGENT = 'Mozilla Thunderbird';
const BOUNDARY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Thunderbird's multipart boundary: twelve dashes and 24 random letters and digits, fresh per mail. */
export function clientBoundary(): string {
  let suffix = '';
  for (let index = 0; index < 24; index++) suffix += BOUNDARY_ALPHABET[randomInt(BOUNDARY_ALPHABET.length)];
  return `------------${suffix}`;
}

function addressOf(from: ClientMessage['from']): string {
  return typeof from === 'string' ? from : from.address;
}

/** The raw mail (CRLF line ends), ready for SMTP DATA. */
export async function clientMail(message: ClientMessage): Promise<Buffer> {
  const sender = addressOf(message.from);
  const domain = sender.slice(sender.indexOf('@') + 1);
  const root: MimeNode = new MailComposer({
    from: typeof message.from === 'string' ? message.from : { name: message.from.name, address: message.from.address },
    to: message.to,
    subject: message.subject,
    messageId: `<${randomUUID()}@${domain}>`,
    headers: { 'User-Agent': CLIENT_USER_AGENT, 'Content-Language': message.language },
    text: message.text,
    attachments: message.attachments.map((attachment) => ({ filename: attachment.filename, contentType: attachment.contentType, content: attachment.content, contentTransferEncoding: 'base64' })),
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile();
  // Thunderbird declares its plain text flowed.
  (message.attachments.length === 0 ? root : root.childNodes[0])?.setHeader('Content-Type', 'text/plain; charset=UTF-8; format=flowed');
  if (message.attachments.length > 0) root.setHeader('Content-Type', `multipart/mixed; boundary="${clientBoundary()}"`);
  return root.build();
}
