import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity, generatePrekeys, open, sealV2, toHex } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import { rawClient } from './helpers/raw-client.js';
import { removeTempDirs, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/** The relay routes version-2 envelopes by the same rule as version 1 (core's inspect reads both): tags, id, expiry. */
let relay: RelayProcess;
beforeAll(async () => {
  relay = await spawnRelay({ config: { heartbeatIntervalMs: 1000 } });
});
afterAll(async () => {
  await relay.kill('SIGTERM');
  await removeTempDirs();
});

describe('envelope v2 through a relay process', () => {
  it.each(['xwing', 'x25519'] as const)('stores and hands over a %s v2 envelope to its recipient, byte for byte', async (kind) => {
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    const [prekey] = generatePrekeys(bob, { kind });
    const envelope = sealV2('through the relay', { from: alice, to: { card: bob.card, prekey: prekey!.prekey } });

    const sender = await rawClient(relay.url);
    await sender.authenticate(alice, false);
    sender.send(protocol.encodeDeposit(1, envelope));
    const answer = await sender.next((frame) => (frame.type === 'accepted' && frame.requestIds.includes(1)) || frame.type === 'error');
    expect(answer.type).toBe('accepted');

    const reader = await rawClient(relay.url);
    await reader.authenticate(bob);
    const push = await reader.next((frame) => frame.type === 'push');
    expect(push.type === 'push' && toHex(push.envelope)).toBe(toHex(envelope));
    const opened = await open(push.type === 'push' ? push.envelope : new Uint8Array(0), { identity: bob, prekeys: { get: () => prekey } });
    expect(new TextDecoder().decode(opened.plaintext)).toBe('through the relay');
    sender.socket.close();
    reader.socket.close();
  });

  it('refuses a v2 envelope that lists a routing tag twice (BAD_ENVELOPE)', async () => {
    const alice = generateIdentity();
    const [bob, carol] = [generateIdentity(), generateIdentity()];
    const to = [bob, carol].map((person) => ({ card: person.card, prekey: generatePrekeys(person, { kind: 'x25519' })[0]!.prekey }));
    const envelope = sealV2('twice', { from: alice, to });
    const entry = 25 + 32 + 32;
    envelope.set(envelope.subarray(38, 54), 38 + entry);
    const sender = await rawClient(relay.url);
    await sender.authenticate(alice, false);
    sender.send(protocol.encodeDeposit(2, envelope));
    const answer = await sender.next((frame) => frame.type === 'error' || frame.type === 'accepted');
    expect(answer).toMatchObject({ type: 'error', code: protocol.ERROR_CODES.BAD_ENVELOPE, requestId: 2 });
    sender.socket.close();
  });
});
