import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNode, decodePrekeyBundle, encodePrekeyBundle, generateIdentity, generatePrekeys, memoryPrekeySecretStore, memoryStore, toHex, verifyPrekeyBundle, type Identity, type PrekeyBundle } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import { applicationReader } from '@herald/transport-compliance';
import { webSocketTransport } from '@herald/transport-websocket';
import { FAST, until } from './helpers/nodes.js';
import { rawClient, type RawClient } from './helpers/raw-client.js';
import { removeTempDirs, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/** The relay's prekey directory (docs/relay-protocol.md 4.3), end to end: real relay process, real nodes. */
let relay: RelayProcess;
beforeAll(async () => {
  relay = await spawnRelay({ config: { heartbeatIntervalMs: 1000 } });
});
afterAll(async () => {
  await relay.kill('SIGTERM');
  await removeTempDirs();
});

const POLICY = { sendTimeoutMs: 3000, retryMinDelayMs: 50, maxBackoffMs: 500, ackDeadlineMs: { ROUTINE: 5000, PRIORITY: 5000, IMMEDIATE: 5000, FLASH: 5000 } };
const tagOf = (identity: Identity): Uint8Array => identity.card.routingTag;

async function fetchBundle(client: RawClient, requestId: number, of: Identity): Promise<Uint8Array> {
  client.send(protocol.encodePrekeysGet(requestId, tagOf(of)));
  const answer = await client.next((frame) => (frame.type === 'prekeys' || frame.type === 'error') && frame.requestId === requestId);
  if (answer.type !== 'prekeys') throw new Error(`PREKEYS_GET answered ${answer.type === 'error' ? protocol.errorName(answer.code) : answer.type}`);
  return answer.bundle;
}

async function upload(client: RawClient, requestId: number, tag: Uint8Array, bundle: PrekeyBundle): Promise<string> {
  client.send(protocol.encodePrekeysPut(requestId, tag, encodePrekeyBundle(bundle)));
  const answer = await client.next((frame) => (frame.type === 'prekeys-held' || frame.type === 'error') && frame.requestId === requestId);
  return answer.type === 'error' ? (protocol.errorName(answer.code) ?? `code ${answer.code}`) : `HELD ${answer.type === 'prekeys-held' ? answer.oneTime : '?'}`;
}

const oneTimeIds = (bundle: PrekeyBundle): string[] => bundle.prekeys.filter((prekey) => prekey.oneTime).map((prekey) => toHex(prekey.id));

describe('prekey directory through a relay process', () => {
  it('gives a sender under forward secrecy `required` its recipient’s bundle: the message goes v2 with a one-time prekey, and no one-time prekey is handed out twice', async () => {
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    // Bob keeps durable-enough prekey secrets for the test, so his node offers prekeys and uploads them at start.
    const bobNode = createNode({ identity: bob, contacts: [alice.card], store: memoryStore(), prekeys: memoryPrekeySecretStore(bob), channels: [webSocketTransport({ url: relay.url, identity: bob, ...FAST })], policy: POLICY });
    await bobNode.start();
    const bobReader = applicationReader(bobNode);

    // A third identity fetches first, until Bob's upload and top-up are there (a fetch before the top-up gets the
    // medium-term prekey alone and takes nothing): then one medium-term and exactly one one-time prekey.
    const carol = await rawClient(relay.url);
    await carol.authenticate(generateIdentity({ label: 'Carol' }), false);
    let firstBundle: PrekeyBundle | undefined;
    for (let attempt = 0; attempt < 50 && !firstBundle?.prekeys.some((prekey) => prekey.oneTime); attempt++) {
      const bytes = await fetchBundle(carol, 100 + attempt, bob);
      firstBundle = bytes.length === 0 ? undefined : decodePrekeyBundle(bytes);
      if (!firstBundle?.prekeys.some((prekey) => prekey.oneTime)) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!firstBundle) throw new Error('Bob’s node uploaded no bundle');
    expect(verifyPrekeyBundle(firstBundle, bob.card).length).toBe(firstBundle.prekeys.length);
    expect(oneTimeIds(firstBundle)).toHaveLength(1);
    expect(firstBundle.prekeys.filter((prekey) => !prekey.oneTime).length).toBeGreaterThanOrEqual(1);

    // Alice has never heard from Bob: her node holds no prekey of his, and must fetch one.
    const aliceStore = memoryStore();
    const aliceNode = createNode({ identity: alice, contacts: [bob.card], store: aliceStore, channels: [webSocketTransport({ url: relay.url, identity: alice, ...FAST })], policy: { ...POLICY, forwardSecrecy: 'required' } });
    await aliceNode.start();
    expect(await aliceStore.getContactPrekeys(bob.card.fingerprint)).toBeUndefined();
    const handle = await aliceNode.send(bob.card, 'sealed to a prekey from the directory');
    const record = (await aliceNode.outbox()).find((one) => one.id === handle.id);
    expect(record).toMatchObject({ envelopeVersion: 2, prekey: 'one-time' });
    await until('Bob reads the message', () => bobReader.received.includes('sealed to a prekey from the directory'), 10_000);
    const aliceUsed = (await aliceStore.getContactPrekeys(bob.card.fingerprint))?.used.map((entry) => entry.id) ?? [];
    expect(aliceUsed).toHaveLength(1);
    expect(aliceUsed).not.toContain(oneTimeIds(firstBundle)[0]);

    // Another fetch gets neither of the one-time prekeys handed out already.
    const again = decodePrekeyBundle(await fetchBundle(carol, 200, bob));
    expect(oneTimeIds(again)).toHaveLength(1);
    expect([...oneTimeIds(firstBundle), ...aliceUsed]).not.toContain(oneTimeIds(again)[0]);

    carol.socket.close();
    await aliceNode.stop();
    await bobReader.stop();
  });

  it('takes prekeys only for the authenticated identity’s own mailbox and only what verifies under its key', async () => {
    const bob = generateIdentity({ label: 'Bob' });
    const mallory = generateIdentity({ label: 'Mallory' });
    const bobs: PrekeyBundle = { owner: bob.card.signingPublicKey, prekeys: generatePrekeys(bob, { kind: 'x25519', count: 2, oneTime: true }).map((owned) => owned.prekey) };
    const client = await rawClient(relay.url);
    await client.authenticate(mallory);
    // Bob's genuine bundle, put by Mallory under Bob's mailbox (not one she proved) or under her own (not her key).
    expect(await upload(client, 1, tagOf(bob), bobs)).toBe('PREKEYS_REFUSED');
    expect(await upload(client, 2, tagOf(mallory), bobs)).toBe('PREKEYS_REFUSED');
    // Bob's prekeys relabelled as Mallory's: the signatures do not verify under her key.
    expect(await upload(client, 3, tagOf(mallory), { ...bobs, owner: mallory.card.signingPublicKey })).toBe('PREKEYS_REFUSED');
    // Nothing of it was kept for Bob.
    expect(await fetchBundle(client, 4, bob)).toHaveLength(0);
    // Her own prekeys for her own mailbox are taken.
    const own = { owner: mallory.card.signingPublicKey, prekeys: generatePrekeys(mallory, { kind: 'x25519', count: 3, oneTime: true }).map((owned) => owned.prekey) };
    // Her own genuine prekeys under Bob's mailbox: refused, and nothing is kept for Bob.
    expect(await upload(client, 5, tagOf(bob), own)).toBe('PREKEYS_REFUSED');
    expect(await fetchBundle(client, 6, bob)).toHaveLength(0);
    expect(await upload(client, 7, tagOf(mallory), own)).toBe('HELD 3');
    client.socket.close();
  });

  it('answers no directory frame before AUTH, and paces fetches by the identity’s deposit bucket over all its connections', async () => {
    const limited = await spawnRelay({ config: { heartbeatIntervalMs: 1000, depositorDepositsPerSecond: 1 } });
    try {
      const early = await rawClient(limited.url);
      early.send(protocol.encodePrekeysGet(1, tagOf(generateIdentity())));
      expect(await early.next((frame) => frame.type === 'error' && frame.requestId === 1)).toMatchObject({ code: protocol.ERROR_CODES.NOT_AUTHENTICATED });
      early.socket.close();
      // The burst is twice the rate: two fetches pass, then the identity is refused, on a second connection too.
      const sender = generateIdentity();
      const [first, second] = [await rawClient(limited.url), await rawClient(limited.url)];
      await first.authenticate(sender, false);
      await second.authenticate(sender, false);
      // Sent at once (no waiting between them), so the bucket, refilling at one a second, has no time to refill.
      const order = [first, second, first, second];
      order.forEach((client, index) => client.send(protocol.encodePrekeysGet(10 + index, tagOf(generateIdentity()))));
      const answers = await Promise.all(
        order.map(async (client, index) => {
          const answer = await client.next((frame) => (frame.type === 'prekeys' || frame.type === 'error') && frame.requestId === 10 + index);
          return answer.type === 'error' ? (protocol.errorName(answer.code) ?? '?') : answer.type;
        }),
      );
      expect(answers.filter((answer) => answer === 'prekeys')).toHaveLength(2);
      expect(answers.filter((answer) => answer === 'RATE_LIMITED')).toHaveLength(2);
      first.socket.close();
      second.socket.close();
    } finally {
      await limited.kill('SIGTERM');
    }
  });
});
