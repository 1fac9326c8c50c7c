import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { open as openLmdb } from 'lmdb';
import { afterAll, describe, expect, it } from 'vitest';
import { blindedMailbox, epochOf, generateIdentity, inspect, toHex, type InboundEnvelope, type Transport } from '@herald/core';
import { webSocketTransport } from '@herald/transport-websocket';
import { envelopeForTag, epochIdentity } from './helpers/epoch-mail.js';
import { until } from './helpers/nodes.js';
import { removeTempDirs, spawnRelay } from './helpers/relay-process.js';

/**
 * Issue 22 §4 (EPOCH-SPEC section 5): after traffic across several short epochs, nothing the relay stored or logged
 * links one epoch's mailbox to another's, or to the recipient's identity; every message arrived once.
 */
const EPOCH_SECONDS = 2;
const EPOCHS = 4;
const PER_EPOCH = 2;

const transports: Transport[] = [];
afterAll(async () => {
  await Promise.all(transports.map((transport) => transport.stop()));
  await removeTempDirs();
});

/** Every key and value of every database in the relay's LMDB environment, as hex (read by a second process-side reader). */
function storeRecords(path: string): string[] {
  const env = openLmdb({ path, readOnly: true, maxDbs: 8 } as Parameters<typeof openLmdb>[0]);
  try {
    const records: string[] = [];
    const names = [...env.getKeys()].map(String);
    for (const name of names) {
      const db = env.openDB({ name, encoding: 'binary', keyEncoding: 'binary' });
      for (const { key, value } of db.getRange({})) records.push(`${toHex(key as Uint8Array)}|${toHex(value as Uint8Array)}`);
    }
    return records;
  } finally {
    void env.close();
  }
}

/** The ways a log could write a value down: hex, base64, base64url. */
const spellings = (bytes: Uint8Array): string[] => ['hex', 'base64', 'base64url'].map((encoding) => Buffer.from(bytes).toString(encoding as BufferEncoding));

describe('epoch mailboxes at a real relay: what its store and logs hold', () => {
  it('holds no value linking two epochs, nor the identity, after traffic across 4 epochs; every message arrived once', async () => {
    const relay = await spawnRelay({ config: { logLevel: 'debug' } });
    const bob = epochIdentity(EPOCH_SECONDS);
    const alice = generateIdentity();
    const received: InboundEnvelope[] = [];
    const bobChannel = webSocketTransport({ url: relay.url, identity: bob, minReconnectDelayMs: 50 });
    const aliceChannel = webSocketTransport({ url: relay.url, identity: alice, collect: false });
    transports.push(bobChannel, aliceChannel);
    await aliceChannel.start({ routingTags: [], deliver: async () => undefined });

    const storePath = join(relay.dataDir, 'store');
    const records = new Set<string>();
    const sent: string[] = [];
    const epochs: number[] = [];
    for (let step = 0; step < EPOCHS; step++) {
      // Each step in an epoch of its own, as the clock moves.
      const epoch = epochOf(Date.now(), EPOCH_SECONDS);
      epochs.push(epoch);
      const tag = blindedMailbox(bob, epoch).tag;
      for (let index = 0; index < PER_EPOCH; index++) {
        const envelope = envelopeForTag(tag, `epoch ${step} message ${index}`);
        await aliceChannel.send(envelope, { messageId: inspect(envelope).id, routingTags: [toHex(tag)], expiresAt: Date.now() + 60_000 });
        sent.push(inspect(envelope).id);
      }
      if (step === 2) {
        // Bob deposits too: with epoch tags only, over an epoch connection (he opens no AUTH connection, counted below).
        const own = envelopeForTag(tag, 'from bob, over his epoch connection');
        await bobChannel.send(own, { messageId: inspect(own).id, routingTags: [toHex(tag)], expiresAt: Date.now() + 60_000 });
        sent.push(inspect(own).id);
      }
      // Stored for a mailbox nobody collects yet, then collected: the store is read in both states.
      for (const record of storeRecords(storePath)) records.add(record);
      const collected = epochs.slice(-2).map((kept) => toHex(blindedMailbox(bob, kept).tag));
      if (step === 0) await bobChannel.start({ routingTags: collected, deliver: async (envelope) => void received.push(envelope) });
      else await bobChannel.updateRoutingTags!(collected);
      await until(`the messages of epoch ${step}`, () => received.length >= sent.length, 10_000);
      // One connection per collected epoch tag (a dropped tag's closes once its deliveries are done), plus Alice's.
      await until(`${collected.length + 1} authenticated connections`, async () => (await relay.metric('herald_relay_authenticated_connections')) === collected.length + 1, 5_000);
      for (const record of storeRecords(storePath)) records.add(record);
      await until('the next epoch', () => epochOf(Date.now(), EPOCH_SECONDS) > epoch, 5_000);
    }
    expect(new Set(epochs).size).toBe(EPOCHS);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await bobChannel.stop();
    await aliceChannel.stop();
    await relay.kill('SIGTERM');

    // Every message once, none twice.
    expect(received.map((envelope) => inspect(envelope.bytes).id).sort()).toEqual([...sent].sort());

    const mailboxes = epochs.map((epoch) => blindedMailbox(bob, epoch));
    const identityValues = [bob.card.signingPublicKey, bob.card.routingTag, bob.card.agreementPublicKey, bob.card.keyId];
    // The store: each record names one epoch at most (a mail row and a "collected" row are keyed by one tag), nothing of the identity.
    let naming = 0;
    for (const record of records) {
      const named = mailboxes.filter((mailbox) => record.includes(toHex(mailbox.tag)) || record.includes(toHex(mailbox.publicKey))).length;
      expect(named, `a store record names ${named} epochs: ${record.slice(0, 200)}`).toBeLessThanOrEqual(1);
      naming += named;
      for (const value of identityValues) expect(record.includes(toHex(value))).toBe(false);
    }
    // The records held each epoch's tag (so the check above looked at real rows).
    expect(naming).toBeGreaterThanOrEqual(2 * EPOCHS);
    // The store's files byte for byte, freed pages included: nothing of the identity, and no blinded key.
    const files = await readdir(storePath);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = await readFile(join(storePath, file));
      for (const value of [...identityValues, ...mailboxes.map((mailbox) => mailbox.publicKey)]) expect(bytes.includes(Buffer.from(value)), `${file} holds an identity value or a blinded key`).toBe(false);
    }
    // The logs (debug level): no tag, no blinded key, nothing of the identity; so no line can list two epochs' tags.
    const logs = relay.logs();
    expect(logs).toContain('relay started');
    for (const value of [...identityValues, ...mailboxes.flatMap((mailbox) => [mailbox.tag, mailbox.publicKey])]) {
      for (const spelling of spellings(value)) expect(logs.includes(spelling)).toBe(false);
    }
    expect(logs.includes(bob.card.fingerprint)).toBe(false);
  }, 60_000);
});
