import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNode, toHex, type HeraldNode, type Identity, type ReceivedMessage } from '@herald/core';
import type { MailSystem } from '@herald/mail-test-server';
import { lmdbStore } from '@herald/store-lmdb';
import { emailTransport, type EmailTransportInit } from '@herald/transport-email';

/**
 * The subject: two Herald nodes on durable LMDB stores with one e-mail channel
 * each. A round trip is node.send() at Alice until Bob's application reads
 * the opened message: seal, outbox fsync, SMTP, Postfix, LMTP, Dovecot, IDLE
 * push, BODYSTRUCTURE, download, open, inbox fsync. (Bob's ack travels back
 * by mail meanwhile, as it would in use.)
 */
export interface HeraldPath {
  roundTrip(text: string): Promise<number>;
  close(): Promise<void>;
}

function account(mail: MailSystem, address: string, book: Record<string, string>): EmailTransportInit {
  return {
    address,
    smtp: { host: mail.host, port: mail.smtp.port, security: 'starttls', user: address, password: mail.password, ca: mail.ca },
    imap: { host: mail.host, port: mail.imap.securePort, security: 'tls', user: address, password: mail.password, ca: mail.ca },
    addressBook: book,
  };
}

export async function heraldPath(mail: MailSystem, alice: Identity, bob: Identity): Promise<HeraldPath> {
  const addresses = { alice: mail.newAddress('alice'), bob: mail.newAddress('bob') };
  const book = { [toHex(alice.card.routingTag)]: addresses.alice, [toHex(bob.card.routingTag)]: addresses.bob };
  const dir = await mkdtemp(join(tmpdir(), 'herald-bench-email-'));
  const stores = [await lmdbStore({ path: join(dir, 'alice') }), await lmdbStore({ path: join(dir, 'bob') })];
  const nodes: HeraldNode[] = [
    createNode({ identity: alice, contacts: [bob.card], store: stores[0]!, channels: [emailTransport(account(mail, addresses.alice, book))] }),
    createNode({ identity: bob, contacts: [alice.card], store: stores[1]!, channels: [emailTransport(account(mail, addresses.bob, book))] }),
  ];
  for (const node of nodes) await node.start();
  const waiting = new Map<string, () => void>();
  const lifetime = new AbortController();
  const reading = (async () => {
    try {
      for await (const message of nodes[1]!.messages({ signal: lifetime.signal }) as AsyncIterable<ReceivedMessage>) {
        waiting.get(message.text)?.();
        await message.ack();
      }
    } catch {
      // Aborted at close.
    }
  })();
  return {
    async roundTrip(text) {
      const started = performance.now();
      const arrived = new Promise<void>((resolve) => waiting.set(text, resolve));
      await nodes[0]!.send('Bob', text);
      await arrived;
      waiting.delete(text);
      return performance.now() - started;
    },
    async close() {
      lifetime.abort();
      for (const node of nodes) await node.stop();
      await reading;
      for (const store of stores) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
