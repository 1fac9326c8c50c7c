import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeBothWays, PROXY_ONLY_HOST, startMicrosocks, startSourceWitness, startTinyproxy, type ProxyProcess, type SourceWitness } from '@herald/transport-compliance';
import type { EmailTransportInit } from '@herald/transport-email';
import { startMailSystem, type MailSystem, pairOn } from './mail.js';
import { envelope, sendPersistently, started, transport, until } from './helpers.js';

/**
 * SMTP and IMAP through real proxies (tinyproxy for HTTP CONNECT, microsocks for SOCKS5) to a real Postfix and
 * Dovecot. Both servers sit behind witnesses that record each connection's source address: the proxies leave from
 * 127.0.0.2, so a connection from anywhere else would be one made around the proxy. The servers are named by a host
 * name only the proxies can resolve (PROXY_ONLY_HOST), so the channel working at all shows the proxy resolved it;
 * TLS still checks the servers' certificate (issued to localhost) end to end through the tunnel.
 */
let mail: MailSystem;
let smtpWitness: SourceWitness;
let imapWitness: SourceWitness;
beforeAll(async () => {
  mail = await startMailSystem({ domain: 'mission.test' });
  smtpWitness = await startSourceWitness(mail.smtp.port);
  imapWitness = await startSourceWitness(mail.imap.securePort);
}, 60_000);
afterAll(async () => {
  await smtpWitness?.close();
  await imapWitness?.close();
  await mail?.close();
});

function throughProxy(address: string, book: Record<string, string>, proxy: string): EmailTransportInit {
  const server = { host: PROXY_ONLY_HOST, servername: 'localhost', user: address, password: mail.password, ca: mail.ca };
  return {
    address,
    smtp: { ...server, port: smtpWitness.port, security: 'starttls' },
    imap: { ...server, port: imapWitness.port, security: 'tls' },
    addressBook: book,
    pollIntervalMs: 1_000,
    maxReconnectDelayMs: 500,
    timeoutMs: 5_000,
    proxy,
  };
}

describe.each([
  ['an HTTP CONNECT proxy (tinyproxy)', startTinyproxy],
  ['a SOCKS5 proxy (microsocks)', startMicrosocks],
])('e-mail transport through %s', (_kind, startProxy) => {
  let proxy: ProxyProcess;
  beforeAll(async () => {
    proxy = await startProxy();
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('exchanges envelopes over SMTP and IMAP, recovers when the proxy is killed mid-stream and restarted, and never connects around it', async () => {
    const before = { smtp: smtpWitness.sources().length, imap: imapWitness.sources().length };
    const { alice, bob, addresses, book } = pairOn(mail);
    const a = transport(throughProxy(addresses.alice, book, proxy.url));
    const b = transport(throughProxy(addresses.bob, book, proxy.url));
    const [atAlice, atBob] = [await started(a, alice), await started(b, bob)];
    await exchangeBothWays({ a, atAlice, b, atBob, toBob: envelope(alice, bob), toAlice: envelope(bob, alice) });
    const imapBeforeKill = imapWitness.sources().length;

    await proxy.kill();
    await until('both channels to notice the lost IMAP tunnel', () => a.health().state !== 'up' && b.health().state !== 'up', 20_000);
    await proxy.start();
    const late = envelope(alice, bob);
    await sendPersistently(a, late);
    await until('the envelope sent after the restart', () => atBob.received.some((each) => Buffer.from(each.bytes).equals(Buffer.from(late))), 30_000);

    const smtp = smtpWitness.sources().slice(before.smtp);
    const imap = imapWitness.sources().slice(before.imap);
    expect(imapWitness.sources().length, 'IMAP connected again after the restart').toBeGreaterThan(imapBeforeKill);
    expect(smtp.length).toBeGreaterThan(0);
    expect(new Set([...smtp, ...imap]), 'every connection the mail servers saw came from the proxy').toEqual(new Set(['127.0.0.2']));
  });
});
