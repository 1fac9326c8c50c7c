import { startMailSystem, type MailSystem } from '@herald/mail-test-server';
import type { Identity } from '@herald/core';
import type { EmailTransportInit } from '@herald/transport-email';
import { party, tagOf } from './helpers.js';

/**
 * The e-mail tests' real mail system: one Postfix and one Dovecot per test
 * file, started by the harness on free loopback ports (see
 * @herald/mail-test-server). Tests invent fresh mailboxes, so cases never see
 * each other's mail.
 */
export { startMailSystem, type MailSystem };

/** Init for a transport whose own mailbox is `address`: SMTP with STARTTLS, IMAP over implicit TLS, both authenticated and verified against the test CA. */
export function accountInit(mail: MailSystem, address: string, addressBook: Record<string, string>, extra: Partial<EmailTransportInit> = {}): EmailTransportInit {
  return {
    address,
    smtp: { host: mail.host, port: mail.smtp.port, security: 'starttls', user: address, password: mail.password, ca: mail.ca },
    imap: { host: mail.host, port: mail.imap.securePort, security: 'tls', user: address, password: mail.password, ca: mail.ca },
    addressBook,
    pollIntervalMs: 2_000,
    maxReconnectDelayMs: 500,
    timeoutMs: 5_000,
    ...extra,
  };
}

/** Alice and Bob, each with a fresh mailbox on `mail`, and an address book naming both. */
export function pairOn(mail: MailSystem): { alice: Identity; bob: Identity; addresses: { alice: string; bob: string }; book: Record<string, string> } {
  const [alice, bob] = [party('alice'), party('bob')];
  const addresses = { alice: mail.newAddress('alice'), bob: mail.newAddress('bob') };
  return { alice, bob, addresses, book: { [tagOf(alice)]: addresses.alice, [tagOf(bob)]: addresses.bob } };
}
