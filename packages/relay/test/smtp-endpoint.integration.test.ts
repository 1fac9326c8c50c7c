import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { envelopeId, generateIdentity, seal, toHex, type InboundEnvelope } from '@herald/core';
import { routeOf } from '@herald/transport-compliance';
import { emailTransport } from '@herald/transport-email';
import { webSocketTransport } from '@herald/transport-websocket';
import { removeTempDirs, restartRelay, spawnRelay, tempDir } from './helpers/relay-process.js';
import { repeatedTagEnvelope } from './helpers/repeated-tag.js';

/** `herald relay --smtp` as a real process: a station that can only send mail deposits by SMTP, the recipient collects over WebSocket. */
const HERALD = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await removeTempDirs();
});

async function relayWithSmtp(): Promise<{ ws: string; smtp: string; child: ChildProcess; dataDir: string; output: () => string }> {
  const dataDir = await tempDir('herald-relay-smtp-');
  const child = spawn(process.execPath, [HERALD, 'relay', '--listen', '127.0.0.1:0', '--smtp', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', 'debug'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ws = /^relay listening on (ws:\/\/\S+)$/m.exec(stdout)?.[1];
      const smtp = /^relay smtp on (smtp\+plain:\/\/\S+)$/m.exec(stdout)?.[1];
      if (ws && smtp) resolve({ ws, smtp, child, dataDir, output: () => stdout + stderr });
    });
    void exited.then(() => reject(new Error(`herald relay exited before listening: ${stdout}`)));
  });
}

function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('herald relay --smtp', () => {
  it('stores envelopes mailed by a send-only e-mail channel (attachment and armored) and pushes them to the recipient over WebSocket', async () => {
    const relay = await relayWithSmtp();
    const [station, bob] = [generateIdentity({ label: 'station' }), generateIdentity({ label: 'bob' })];
    // Any address will do: the relay routes by the envelope's tags.
    const book = { [toHex(bob.card.routingTag)]: 'bob@relay.invalid' };
    const attachments = emailTransport({ address: 'station@field.invalid', smtp: { url: relay.smtp }, addressBook: book });
    const armored = emailTransport({ address: 'station@field.invalid', smtp: { url: relay.smtp }, addressBook: book, format: 'armored', camouflage: { bodyText: 'Daily log' } });
    for (const channel of [attachments, armored]) await channel.start({ routingTags: [toHex(station.card.routingTag)], deliver: async () => undefined });
    // Bob is offline while the station mails: the relay keeps the envelopes.
    const sent = Array.from({ length: 6 }, (_, index) => seal(`report ${index}`, { from: station, to: bob.card }));
    for (const [index, bytes] of sent.entries()) {
      const receipt = await (index % 2 === 0 ? attachments : armored).send(bytes, routeOf(bytes));
      expect(receipt.channel).toBe('email:station@field.invalid');
    }
    const received: InboundEnvelope[] = [];
    const collector = webSocketTransport({ url: relay.ws, identity: bob });
    await collector.start({ routingTags: [toHex(bob.card.routingTag)], deliver: async (inbound) => void received.push(inbound) });
    try {
      await until('all six envelopes over WebSocket', () => new Set(received.map((inbound) => envelopeId(inbound.bytes))).size === 6);
      for (const bytes of sent) expect(received.some((inbound) => Buffer.from(inbound.bytes).equals(Buffer.from(bytes)))).toBe(true);
    } finally {
      await collector.stop();
      for (const channel of [attachments, armored]) await channel.stop();
    }
    // It keeps the envelopes only, never the mail around them, and logs no address (threat model 12.5).
    const files = (await readdir(relay.dataDir, { recursive: true })).map((file) => join(relay.dataDir, file));
    const blobs: [string, Buffer][] = [['the output', Buffer.from(relay.output())]];
    for (const file of files) if ((await stat(file)).isFile()) blobs.push([file, await readFile(file)]);
    expect(relay.output()).toContain('smtp');
    for (const needle of ['station@field.invalid', 'bob@relay.invalid', 'field.invalid', 'Daily log']) {
      for (const [where, blob] of blobs) expect(blob.includes(needle), `${needle} in ${where}`).toBe(false);
    }
  });

  it('keeps what it answered 250 to: envelopes mailed in survive a SIGKILL right after, and the restarted relay hands them over WebSocket', async () => {
    const smtpPort = await freePort();
    const args = ['--smtp', `127.0.0.1:${smtpPort}`];
    const first = await spawnRelay({ args });
    const [station, bob] = [generateIdentity({ label: 'station' }), generateIdentity({ label: 'bob' })];
    const transporter = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
    const sent = Array.from({ length: 5 }, (_, index) => seal(`report ${index}`, { from: station, to: bob.card }));
    for (const bytes of sent) {
      const info = await transporter.sendMail({ from: 'station@field.invalid', to: 'bob@relay.invalid', attachments: [{ filename: 'r.bin', content: Buffer.from(bytes), contentType: 'application/octet-stream' }] });
      expect(info.response).toMatch(/^250 /);
    }
    transporter.close();
    await first.kill('SIGKILL');
    const second = await restartRelay(first, { args });
    const received: InboundEnvelope[] = [];
    const collector = webSocketTransport({ url: second.url, identity: bob });
    await collector.start({ routingTags: [toHex(bob.card.routingTag)], deliver: async (inbound) => void received.push(inbound) });
    try {
      await until('all five envelopes after the restart', () => new Set(received.map((inbound) => envelopeId(inbound.bytes))).size === 5);
      for (const bytes of sent) expect(received.some((inbound) => Buffer.from(inbound.bytes).equals(Buffer.from(bytes)))).toBe(true);
    } finally {
      await collector.stop();
      await second.kill();
    }
  });

  it('answers 554 to mail without an envelope or with a repeated routing tag, and 552 to mail above the size limit (not retryable for the sender)', async () => {
    const relay = await relayWithSmtp();
    const port = Number(new URL(relay.smtp.replace('smtp+plain:', 'http:')).port);
    const transporter = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    const refusal = (mail: Parameters<typeof transporter.sendMail>[0]): Promise<number | undefined> =>
      transporter.sendMail(mail).then(() => undefined, (error: { responseCode?: number }) => error.responseCode);
    expect(await refusal({ from: 'a@x.invalid', to: 'b@x.invalid', subject: 'hello', text: 'just a note' })).toBe(554);
    expect(await refusal({ from: 'a@x.invalid', to: 'b@x.invalid', attachments: [{ filename: 'x.bin', content: Buffer.alloc(3 * 1024 * 1024) }] })).toBe(552);
    // A header that lists one routing tag twice is not a v1 envelope.
    const twice = Buffer.from(repeatedTagEnvelope(generateIdentity()));
    expect(await refusal({ from: 'a@x.invalid', to: 'b@x.invalid', attachments: [{ filename: 'x.bin', content: twice, contentType: 'application/octet-stream' }] })).toBe(554);
    transporter.close();
  });

  it('counts SMTP deposits against their source address: past its quota, 452 (retryable) naming DEPOSITOR_QUOTA, while another address still gets in', async () => {
    const smtpPort = await freePort();
    const relay = await spawnRelay({ args: ['--smtp', `127.0.0.1:${smtpPort}`], config: { addressMaxEnvelopes: 2 } });
    const bob = generateIdentity();
    const mailFrom = (localAddress: string) => {
      const transporter = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true, localAddress } as Parameters<typeof nodemailer.createTransport>[0]);
      return (): Promise<string> =>
        transporter
          .sendMail({ from: 'station@field.invalid', to: 'bob@relay.invalid', attachments: [{ filename: 'r.bin', content: Buffer.from(seal('report', { from: generateIdentity(), to: bob.card })), contentType: 'application/octet-stream' }] })
          .then((info) => String(info.response), (error: { response?: string }) => String(error.response));
    };
    try {
      const first = mailFrom('127.0.0.2');
      const answers = [await first(), await first(), await first()];
      expect(answers.slice(0, 2)).toEqual([expect.stringMatching(/^250 /), expect.stringMatching(/^250 /)]);
      expect(answers[2]).toMatch(/^452 .*DEPOSITOR_QUOTA/);
      expect(await mailFrom('127.0.0.3')()).toMatch(/^250 /);
    } finally {
      await relay.kill();
    }
  });
});
