import { afterAll, beforeAll } from 'vitest';
import { transportComplianceSuite } from '@herald/transport-compliance';
import { emailTransport } from '@herald/transport-email';
import { accountInit, startMailSystem, type MailSystem } from './mail.js';

/**
 * The shared compliance suite against a real Postfix + Dovecot. Per case:
 * fresh mailboxes for sender and receiver; the stranger's routing tag is
 * mapped to the receiver's mailbox, so the "not for me" cases run against a
 * shared mailbox, where the receiver must pick out its own envelopes and leave
 * the others untouched. Cutting the medium stops both daemons.
 */
let mail: MailSystem;
beforeAll(async () => {
  mail = await startMailSystem({ messageSizeLimit: 2_000_000 });
}, 60_000);
afterAll(async () => {
  await mail?.close();
});

transportComplianceSuite(
  'email',
  async ({ receiverTags, senderTags, strangerTags }) => {
    // A previous case's failure must not leave the next one without a mail system.
    await mail.startImap();
    await mail.startSmtp();
    const rx = mail.newAddress('rx');
    const tx = mail.newAddress('tx');
    const book = { [receiverTags[0]!]: rx, [strangerTags[0]!]: rx, [senderTags[0]!]: tx };
    // A small limit keeps the at-the-limit and oversize cases quick.
    const extra = { maxEnvelopeBytes: 256 * 1024, pollIntervalMs: 1_000 };
    return {
      sender: emailTransport(accountInit(mail, tx, book, extra)),
      receiver: emailTransport(accountInit(mail, rx, book, extra)),
      reopenReceiver: () => emailTransport(accountInit(mail, rx, book, extra)),
      disrupt: async () => {
        await mail.stopSmtp();
        await mail.stopImap();
      },
      restore: async () => {
        await mail.startImap();
        await mail.startSmtp();
      },
      teardown: async () => undefined,
    };
  },
  { timeoutMs: 15_000, settleMs: 1_500, concurrentSends: 30 },
);
