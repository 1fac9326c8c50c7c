import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { inspect } from '@herald/core';
import { encodedSize, envelopeFromText } from '@herald/protocol';
import type { Payer } from '../policy/accounts.js';
import type { RelayCore } from '../core.js';
import { sourceAddress } from '../policy/source-address.js';

/** Envelopes taken from one mail at most: a mail is one deposit, not a bulk channel. */
const MAX_ENVELOPES_PER_MAIL = 16;
/** Room for headers and camouflage text around the envelope. */
const MAIL_SLACK = 128 * 1024;

export interface SmtpEndpointHandle {
  /** `smtp+plain://host:port` as bound: what a station puts in its email: channel's smtp URL. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** An SMTP reply: smtp-server sends `responseCode` and the message. */
function reply(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/** Reads the DATA stream, keeping at most `limit` bytes (the rest is drained so the reply can still be sent). */
async function readMail(stream: SMTPServerDataStream, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total <= limit) chunks.push(chunk);
  }
  return stream.sizeExceeded || total > limit ? undefined : Buffer.concat(chunks);
}

/** The envelopes a mail carries: binary attachments first, else an armored text body (what @herald/transport-email sends). */
async function envelopesIn(raw: Buffer): Promise<Uint8Array[]> {
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const found: Uint8Array[] = [];
  for (const attachment of parsed.attachments) {
    if (found.length >= MAX_ENVELOPES_PER_MAIL) break;
    if (attachment.contentType === 'application/octet-stream') found.push(new Uint8Array(attachment.content));
  }
  if (found.length === 0 && typeof parsed.text === 'string') {
    const armored = envelopeFromText(parsed.text);
    if (armored) found.push(armored);
  }
  return found;
}

/**
 * The relay as a mail endpoint (`herald relay --smtp HOST:PORT`): a station
 * that can only send mail submits envelopes by SMTP (smtp-server), and they
 * land in the same LMDB mailboxes as WebSocket deposits, so the recipient
 * collects them over WebSocket. Any recipient address is accepted: routing is
 * by the envelopes' routing tags, never by address. The `250` to DATA comes
 * only once every envelope of the mail is committed durably; a refusal uses
 * SMTP's classes (4xx: try again later, 5xx: never), so the sending station's
 * e-mail channel maps it as for any mail server.
 */
export async function startSmtpEndpoint(core: RelayCore, listen: { host: string; port: number }): Promise<SmtpEndpointHandle> {
  const { init, store, metrics, log } = core;
  const limit = encodedSize(init.maxEnvelopeBytes) + MAIL_SLACK;

  async function deposit(envelope: Uint8Array, payer: Payer): Promise<void> {
    if (envelope.length > init.maxEnvelopeBytes) throw reply(552, `5.3.4 envelope of ${envelope.length} bytes exceeds ${init.maxEnvelopeBytes}`);
    let outline;
    try {
      outline = inspect(envelope);
    } catch {
      throw reply(554, '5.6.0 not a Herald envelope');
    }
    const now = Date.now();
    const expires = outline.expires.getTime();
    if (expires <= now) throw reply(554, '5.7.0 the envelope has expired');
    // SMTP deposits carry no identity: they count against their source address only.
    const refusal = payer.refusal(new Set(outline.routingTags).size, envelope.length, now);
    if (refusal) throw reply(452, `4.3.1 ${refusal.code}: ${refusal.text}`);
    const result = await store.deposit({ envelope, tags: outline.routingTags, id: outline.id, keepUntil: Math.min(expires, now + init.maxRetentionSeconds * 1000), payer });
    if (!('committed' in result)) throw result.outcome === 'mailbox-full' ? reply(452, '4.2.2 the recipient’s mailbox is full') : reply(452, '4.3.1 the relay’s storage is full');
    await result.committed;
    if (result.outcome !== 'stored') return;
    metrics.envelopesIn.inc();
    metrics.bytesIn.inc(envelope.length);
    for (const entry of result.entries) for (const subscriber of core.subscribers.get(entry.tag) ?? []) subscriber.offer(entry);
  }

  async function onMail(stream: SMTPServerDataStream, remoteAddress: string): Promise<void> {
    const raw = await readMail(stream, limit);
    if (!raw) throw reply(552, `5.3.4 mail larger than ${limit} bytes`);
    if (!core.accepting) throw reply(421, '4.3.2 the relay is shutting down');
    const envelopes = await envelopesIn(raw).catch(() => [] as Uint8Array[]);
    if (envelopes.length === 0) throw reply(554, '5.6.0 no Herald envelope in this mail');
    const payer = core.accounts.payer(undefined, sourceAddress(remoteAddress));
    try {
      for (const envelope of envelopes) await deposit(envelope, payer);
    } finally {
      payer.leave();
    }
  }

  const server = new SMTPServer({
    // Deposit only: no AUTH (SMTP deposits carry no identity; see init's check against allowDeposit), no relaying anywhere.
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    name: 'relay',
    banner: 'ready',
    size: limit,
    maxClients: init.maxConnections,
    logger: false,
    onData(stream, session, callback) {
      const work = onMail(stream, session.remoteAddress).then(
        () => callback(null, 'OK: stored'),
        (error: unknown) => {
          if (typeof (error as { responseCode?: unknown }).responseCode === 'number') return callback(error as Error);
          // A store failure: never details about the mail, and retryable for the sender.
          log.error({ err: { message: (error as Error).message } }, 'storing an SMTP deposit failed');
          callback(reply(451, '4.3.0 the relay could not store the envelope'));
        },
      );
      core.deposits.add(work);
      void work.finally(() => core.deposits.delete(work));
    },
  });
  server.on('error', (error) => log.debug({ err: { message: error.message } }, 'smtp endpoint error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `smtp+plain://${host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
