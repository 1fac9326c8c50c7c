import { randomFillSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generateIdentity, seal, type Identity } from '@herald/core';
import { rawClient, type RawClient } from './helpers/raw-client.js';
import { removeTempDirs, restartRelay, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/** The relay records which mailboxes were collected, at AUTH, and keeps that across a restart (threat model 10.4). */
const CONFIG = { uncollectedMailboxMaxEnvelopes: 2 };
const relays: RelayProcess[] = [];
const clients: RawClient[] = [];
afterAll(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  for (const relay of relays.splice(0)) await relay.kill('SIGTERM');
  await removeTempDirs();
});

async function connect(relay: RelayProcess, identity: Identity, collect: boolean): Promise<RawClient> {
  const client = await rawClient(relay.url);
  clients.push(client);
  await client.authenticate(identity, collect);
  return client;
}

/** Deposits one envelope for `to`; the answer's name (ACCEPTED or the error's). */
function deposit(client: RawClient, to: Identity, requestId: number): Promise<string> {
  return client.deposit(requestId, seal(randomFillSync(new Uint8Array(100)), { from: generateIdentity(), to: to.card }));
}

describe('mailboxes never collected (real relay process)', () => {
  it('holds a never-collected mailbox to its small quota until its owner collects once, and remembers that after a restart', async () => {
    const relay = await spawnRelay({ config: CONFIG });
    relays.push(relay);
    const bob = generateIdentity();
    const sender = await connect(relay, generateIdentity(), false);
    expect([await deposit(sender, bob, 1), await deposit(sender, bob, 2), await deposit(sender, bob, 3)]).toEqual(['ACCEPTED', 'ACCEPTED', 'MAILBOX_FULL']);
    // Bob collects once (and acknowledges nothing: his mail stays stored), then goes away.
    const collector = await connect(relay, bob, true);
    await collector.next((frame) => frame.type === 'push');
    collector.socket.close();
    await collector.closed;
    expect(await deposit(sender, bob, 4)).toBe('ACCEPTED');
    sender.socket.close();
    await relay.kill('SIGTERM');
    const again = await restartRelay(relay, { config: CONFIG });
    relays.push(again);
    const later = await connect(again, generateIdentity(), false);
    expect([await deposit(later, bob, 5), await deposit(later, bob, 6)]).toEqual(['ACCEPTED', 'ACCEPTED']);
    // A stranger's mailbox is still held to the small quota.
    const carol = generateIdentity();
    expect([await deposit(later, carol, 7), await deposit(later, carol, 8), await deposit(later, carol, 9)]).toEqual(['ACCEPTED', 'ACCEPTED', 'MAILBOX_FULL']);
  });
});
