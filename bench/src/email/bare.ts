import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import type { MailSystem } from '@herald/mail-test-server';

/**
 * The baseline: the same envelope bytes as a plain attachment, sent with a
 * bare nodemailer pool and picked up by a bare imapflow client in IDLE,
 * through the same Postfix and Dovecot. No Herald in between: no sealing, no
 * recognition, no store, no ack, no marking beyond deleting what was read.
 */
export interface BarePath {
  /** Sends `bytes` and resolves with the ms from the send call until the receiver has downloaded them. */
  roundTrip(bytes: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

export async function barePath(mail: MailSystem): Promise<BarePath> {
  const from = mail.newAddress('bare-tx');
  const to = mail.newAddress('bare-rx');
  const transporter = nodemailer.createTransport({ pool: true, host: mail.host, port: mail.smtp.port, secure: false, requireTLS: true, auth: { user: from, pass: mail.password }, tls: { ca: mail.ca } });
  const client = new ImapFlow({ host: mail.host, port: mail.imap.securePort, secure: true, auth: { user: to, pass: mail.password }, tls: { ca: mail.ca }, logger: false, autoIdleDelay: 200 });
  await client.connect();
  await client.mailboxOpen('INBOX');
  const waiting = new Map<string, () => void>();
  let busy = false;
  let again = false;
  // On every 'exists' push: fetch the new mails' attachment, resolve their waiters, delete them.
  const collect = async (): Promise<void> => {
    if (busy) return void (again = true);
    busy = true;
    try {
      const uids = (await client.search({ deleted: false }, { uid: true })) || [];
      for (const uid of uids) {
        const message = await client.fetchOne(String(uid), { uid: true, envelope: true, bodyParts: ['2'] }, { uid: true });
        const subject = message ? message.envelope?.subject : undefined;
        if (message && message.bodyParts?.get('2')) await client.messageDelete(String(uid), { uid: true });
        if (subject !== undefined) waiting.get(subject)?.();
      }
    } finally {
      busy = false;
      if (again) {
        again = false;
        void collect();
      }
    }
  };
  client.on('exists', () => void collect());
  let counter = 0;
  return {
    async roundTrip(bytes) {
      const subject = `b${counter++}`;
      const started = performance.now();
      const arrived = new Promise<void>((resolve) => waiting.set(subject, resolve));
      await transporter.sendMail({ from, to, subject, text: ' ', attachments: [{ filename: 'x.bin', content: Buffer.from(bytes) }] });
      await arrived;
      waiting.delete(subject);
      return performance.now() - started;
    },
    async close() {
      transporter.close();
      await client.logout().catch(() => client.close());
    },
  };
}
