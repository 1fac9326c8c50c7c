import { randomFillSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers-sumo';
import { describe, expect, it } from 'vitest';
import { blindedMailbox, cardToFile, generateIdentity, type BlindedMailbox } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import { envelopeForTag, epochIdentity } from './helpers/epoch-mail.js';
import { until } from './helpers/nodes.js';
import { rawClient, type RawClient } from './helpers/raw-client.js';
import { relayForFile, spawnRelay, tempDir } from './helpers/relay-process.js';

await sodium.ready;

const { CLOSE_CODES, ERROR_CODES, FRAME } = protocol;
const relayProcess = relayForFile({ config: { authTimeoutMs: 2000 } });

const bob = epochIdentity(3600);
const epoch = 20_429;
const signedUrl = (): string => protocol.canonicalRelayUrl(relayProcess().url);

/** A MAILBOX_AUTH whose signatures are made by `signers` over the transcript of `claimed` keys (a forger's tool). */
function forged(client: RawClient, claimed: readonly Uint8Array[], signers: readonly Pick<BlindedMailbox, 'sign'>[], url = signedUrl()): Uint8Array {
  const transcript = protocol.mailboxAuthTranscript(client.challenge.bytes, url, claimed);
  return protocol.encodeMailboxAuth({ url, keys: claimed, signatures: signers.map((signer) => signer.sign(transcript)) });
}

async function refusedWith(frame: (client: RawClient) => Uint8Array): Promise<{ code: number; reason: string }> {
  const client = await rawClient(relayProcess().url);
  client.send(frame(client));
  return client.closed;
}

describe('MAILBOX_AUTH (real relay process)', () => {
  it('collects an epoch mailbox by its blinded key: WELCOME, push, ACK; the connection deposits too, and uploads no prekeys', async () => {
    const mailbox = blindedMailbox(bob, epoch);
    const sender = await rawClient(relayProcess().url);
    await sender.authenticate(generateIdentity(), false);
    expect(await sender.deposit(1, envelopeForTag(mailbox.tag))).toBe('ACCEPTED');

    const collector = await rawClient(relayProcess().url);
    await collector.authenticateMailboxes([mailbox]);
    expect(collector.frames.find((frame) => frame.type === 'welcome')).toMatchObject({ mailboxes: 1 });
    const push = await collector.next((frame) => frame.type === 'push');
    if (push.type !== 'push') throw new Error('not a push');
    collector.send(protocol.encodeAck(push.deliveryId));
    // Depositing works as on an AUTH connection (charged to the blinded key's account).
    expect(await collector.deposit(2, envelopeForTag(blindedMailbox(bob, epoch + 1).tag))).toBe('ACCEPTED');
    collector.send(protocol.encodePrekeysPut(3, mailbox.tag, Uint8Array.of(1, 2, 3)));
    const refused = await collector.next((frame) => frame.type === 'error' && frame.requestId === 3);
    expect(refused).toMatchObject({ code: ERROR_CODES.PREKEYS_REFUSED });
    await until('the ACK to remove the entry', async () => (await relayProcess().metric('herald_relay_mailbox_envelopes')) === 1);
    collector.socket.close();
    sender.socket.close();

    // A later connection for that epoch finds nothing more; several epochs on one connection (allowed, not what the reference client does).
    const again = await rawClient(relayProcess().url);
    await again.authenticateMailboxes([blindedMailbox(bob, epoch), blindedMailbox(bob, epoch + 1)]);
    expect(again.frames.find((frame) => frame.type === 'welcome')).toMatchObject({ mailboxes: 2 });
    const next = await again.next((frame) => frame.type === 'push');
    if (next.type !== 'push') throw new Error('not a push');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(again.frames.filter((frame) => frame.type === 'push')).toHaveLength(1);
    again.socket.close();
  });

  it('closes 4000 on garbage, and 4002 on n=0, n=65, a key twice, a small-order key, another epoch’s signature, a bad signature or another URL', async () => {
    const mine = blindedMailbox(bob, epoch);
    const other = blindedMailbox(bob, epoch + 1);
    const garbage = randomFillSync(new Uint8Array(120));
    garbage[0] = FRAME.MAILBOX_AUTH;
    expect((await refusedWith(() => garbage)).code).toBe(CLOSE_CODES.PROTOCOL_ERROR);

    const none = await refusedWith(() => protocol.encodeMailboxAuth({ url: signedUrl(), keys: [], signatures: [] }));
    expect(none).toMatchObject({ code: CLOSE_CODES.AUTH_FAILED, reason: expect.stringContaining('1 to 64') });
    const many = Array.from({ length: 65 }, (_, index) => blindedMailbox(bob, epoch + index));
    const tooMany = await refusedWith((client) => forged(client, many.map((mailbox) => mailbox.publicKey), many));
    expect(tooMany).toMatchObject({ code: CLOSE_CODES.AUTH_FAILED, reason: expect.stringContaining('1 to 64') });
    const twice = await refusedWith((client) => forged(client, [mine.publicKey, mine.publicKey], [mine, mine]));
    expect(twice).toMatchObject({ code: CLOSE_CODES.AUTH_FAILED, reason: expect.stringContaining('twice') });
    // The identity point (order 1), R = identity, S = 0: [S]B = R + [k]A holds for any message, unless small-order keys are refused.
    const identityPoint = new Uint8Array(32);
    identityPoint[0] = 1;
    const trivial = new Uint8Array(64);
    trivial[0] = 1;
    const smallOrder = await refusedWith(() => protocol.encodeMailboxAuth({ url: signedUrl(), keys: [identityPoint], signatures: [trivial] }));
    expect(smallOrder).toMatchObject({ code: CLOSE_CODES.AUTH_FAILED, reason: expect.stringContaining('signature') });
    // Claiming this epoch's key with a signature by the next epoch's key (the same identity's).
    expect(await refusedWith((client) => forged(client, [mine.publicKey], [other]))).toMatchObject({ code: CLOSE_CODES.AUTH_FAILED, reason: expect.stringContaining('signature') });
    // One good signature and one bad: any bad signature refuses the whole frame.
    const oneBad = await refusedWith((client) => {
      const frame = forged(client, [mine.publicKey, other.publicKey], [mine, other]);
      frame[frame.length - 1]! ^= 0x01;
      return frame;
    });
    expect(oneBad.code).toBe(CLOSE_CODES.AUTH_FAILED);
    const elsewhere = await refusedWith((client) => forged(client, [mine.publicKey], [mine], 'ws://127.0.0.1:1/'));
    expect(elsewhere).toMatchObject({ code: CLOSE_CODES.AUTH_FAILED, reason: expect.stringContaining('URL') });
    expect(await relayProcess().metric('herald_relay_auth_failures_total{reason="signature"}')).toBe(3);
    expect(await relayProcess().metric('herald_relay_auth_failures_total{reason="mailbox-proof"}')).toBe(3);
    expect(await relayProcess().metric('herald_relay_auth_failures_total{reason="url"}')).toBe(1);
    expect((await relayProcess().get('/healthz')).status).toBe(200);
  });

  it('closes 4000 on an AUTH after MAILBOX_AUTH, and on a MAILBOX_AUTH after AUTH', async () => {
    const client = await rawClient(relayProcess().url);
    await client.authenticateMailboxes([blindedMailbox(bob, epoch + 7)]);
    client.send(protocol.answerChallenge(bob, client.challenge, signedUrl(), true));
    expect((await client.closed).code).toBe(CLOSE_CODES.PROTOCOL_ERROR);
    const other = await rawClient(relayProcess().url);
    await other.authenticate(generateIdentity());
    other.send(protocol.answerMailboxChallenge([blindedMailbox(bob, epoch + 7)], other.challenge, signedUrl()));
    expect((await other.closed).code).toBe(CLOSE_CODES.PROTOCOL_ERROR);
  });
});

describe('MAILBOX_AUTH on a relay that admits identities', () => {
  it.each(['allowDeposit', 'allowCollect'])('closes 4003 "identity required" on a relay with %s', async (list) => {
    const dir = await tempDir('herald-relay-epoch-allow-');
    const alice = generateIdentity();
    await writeFile(join(dir, 'alice.card'), cardToFile(alice.card));
    const listed = await spawnRelay({ config: { [list]: [join(dir, 'alice.card')] } });
    try {
      const client = await rawClient(listed.url);
      client.send(protocol.answerMailboxChallenge([blindedMailbox(bob, epoch)], client.challenge, protocol.canonicalRelayUrl(listed.url)));
      expect(await client.closed).toMatchObject({ code: CLOSE_CODES.NOT_ALLOWED, reason: 'NOT_ALLOWED: identity required' });
      expect(await listed.metric('herald_relay_auth_failures_total{reason="identity-required"}')).toBe(1);
    } finally {
      await listed.kill('SIGTERM');
    }
  });
});
