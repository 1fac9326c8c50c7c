import { randomFillSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generateIdentity, seal } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import { rawClient } from './helpers/raw-client.js';
import { removeTempDirs, restartRelay, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/**
 * Write-behind (docs/relay-protocol.md 3.8) against the real relay process: a push its connected recipient
 * acknowledges is never written, one it does not acknowledge is written before its ACCEPTED — and so survives a
 * SIGKILL — and nothing is answered ACCEPTED while it is neither on disk nor acknowledged.
 */
const relays: RelayProcess[] = [];
afterAll(async () => {
  await Promise.all(relays.map((relay) => relay.kill('SIGKILL')));
  await removeTempDirs();
});

const accepted = (frames: readonly ReturnType<typeof protocol.decodeRelayFrame>[]): number[] => frames.flatMap((frame) => (frame.type === 'accepted' ? frame.requestIds : []));
const pushes = (frames: readonly ReturnType<typeof protocol.decodeRelayFrame>[]) => frames.flatMap((frame) => (frame.type === 'push' ? [frame] : []));

describe('relay write-behind (real relay process)', () => {
  it('answers ACCEPTED only once a held envelope is acknowledged or written, and keeps the unacknowledged ones across a SIGKILL', async () => {
    // A long hold, so the test can see ACCEPTED wait for it.
    const relay = await spawnRelay({ config: { writeBehindMs: 1000 } });
    relays.push(relay);
    const bob = generateIdentity({ label: 'Bob' });
    const receiver = await rawClient(relay.url);
    await receiver.authenticate(bob);
    const sender = await rawClient(relay.url);
    await sender.authenticate(generateIdentity({ label: 'Alice' }), false);
    const envelopes = Array.from({ length: 6 }, () => seal(randomFillSync(new Uint8Array(300)), { from: generateIdentity(), to: bob.card, contentType: 'application/octet-stream' }));
    envelopes.forEach((envelope, index) => sender.send(protocol.encodeDeposit(index + 1, envelope)));
    await receiver.next(() => pushes(receiver.frames).length === 6);
    // Pushed at once, held back for 1 s: nothing is durable yet, so nothing is ACCEPTED.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(accepted(sender.frames)).toEqual([]);
    // Bob acknowledges the first three: those are durable with him, and ACCEPTED without being written.
    receiver.send(protocol.encodeAck(pushes(receiver.frames).slice(0, 3).map((push) => push.deliveryId)));
    await sender.next(() => accepted(sender.frames).length >= 3);
    expect(accepted(sender.frames).sort()).toEqual([1, 2, 3]);
    // The other three are written when their hold ends, then ACCEPTED.
    await sender.next(() => accepted(sender.frames).length >= 6, 10_000);
    expect(await relay.metric('herald_relay_envelopes_delivered_unstored_total')).toBe(3);
    expect(await relay.metric('herald_relay_mailbox_envelopes')).toBe(3);

    await relay.kill('SIGKILL');
    const again = await restartRelay(relay);
    relays.push(again);
    const collector = await rawClient(again.url);
    await collector.authenticate(bob);
    await collector.next(() => pushes(collector.frames).length >= 3);
    const kept = pushes(collector.frames).map((push) => Buffer.from(push.envelope).toString('hex'));
    expect(kept.sort()).toEqual(envelopes.slice(3).map((envelope) => Buffer.from(envelope).toString('hex')).sort());
  });
});
