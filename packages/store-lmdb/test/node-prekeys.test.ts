import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNode, generateIdentity, memoryPrekeySecretStore, memoryStore, type HeraldNode, type Identity } from '@herald/core';
import { lmdbPrekeySecretStore, lmdbStore } from '@herald/store-lmdb';
import { FAST, receive } from '../../core/test/node/fixtures.js';
import { memoryMedium, type Medium } from '../../core/test/node/memory-transport.js';
import { tempDirs } from './helpers.js';

const dirs = tempDirs();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await dirs.cleanup();
});

/** A node on LMDB (messages and prekey secrets), as the CLI runs it; `close` stops it and closes both stores. */
async function durableNode(medium: Medium, dir: string, identity: Identity, contact: Identity): Promise<{ node: HeraldNode; close(): Promise<void> }> {
  const store = await lmdbStore({ path: join(dir, 'store') });
  const prekeys = await lmdbPrekeySecretStore({ path: join(dir, 'prekeys'), identity });
  const node = createNode({ identity, contacts: [contact.card], store, channels: [medium.channel('a')], policy: FAST, prekeys });
  await node.start();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await node.stop();
    await prekeys.close();
    await store.close();
  };
  cleanups.push(close);
  return { node, close };
}

async function deliver(from: HeraldNode, to: HeraldNode, text: string) {
  const handle = await from.send(to.identity.card.fingerprint, text);
  const [message] = await receive(to, 1, 10_000);
  expect(await handle.settled({ signal: AbortSignal.timeout(10_000) })).toBe('delivered');
  return { message: message!, record: (await from.outbox()).find((item) => item.id === handle.id)! };
}

describe('node prekey state on LMDB', () => {
  it('never reuses a contact\'s one-time prekey across a restart, and its own prekeys still open mail after it', async () => {
    const medium = memoryMedium();
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    const dir = await dirs.make();
    const bobNode = createNode({ identity: bob, contacts: [alice.card], store: memoryStore(), channels: [medium.channel('a')], policy: FAST, prekeys: memoryPrekeySecretStore(bob) });
    await bobNode.start();
    cleanups.push(() => bobNode.stop());

    let first = await durableNode(medium, dir, alice, bob);
    await deliver(first.node, bobNode, 'warm-up');
    const before = [];
    for (let index = 0; index < 4; index++) before.push((await deliver(first.node, bobNode, `before ${index}`)).record);
    await first.close();

    first = await durableNode(medium, dir, alice, bob);
    const after = [];
    for (let index = 0; index < 4; index++) after.push((await deliver(first.node, bobNode, `after ${index}`)).record);
    expect([...before, ...after].map((record) => record.prekey)).toEqual(Array(8).fill('one-time'));

    // Bob seals to prekeys Alice offered; the ones offered before the restart are in her LMDB prekey store.
    const { message } = await deliver(bobNode, first.node, 'to alice');
    expect(message).toMatchObject({ text: 'to alice', envelopeVersion: 2 });
    // The used one-time ids, read from the store once the node is closed: none was sealed to twice.
    const ids = await (async () => {
      await first.close();
      const store = await lmdbStore({ path: join(dir, 'store') });
      cleanups.push(() => store.close());
      return (await store.getContactPrekeys(bob.card.fingerprint))!.used.map((entry) => entry.id);
    })();
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
  });

  it('keeps a message held for prekeys across a restart, and sends it v2 once they arrive', async () => {
    const medium = memoryMedium();
    const alice = generateIdentity({ label: 'Alice' });
    const bob = generateIdentity({ label: 'Bob' });
    const dir = await dirs.make();
    let first = await durableNode(medium, dir, alice, bob);
    const handle = await first.node.send(bob.card.fingerprint, 'held', { forwardSecrecy: 'required' });
    expect(handle.status).toBe('awaiting-prekeys');
    await first.close();

    first = await durableNode(medium, dir, alice, bob);
    expect((await first.node.handle(handle.id))?.status).toBe('awaiting-prekeys');
    const bobNode = createNode({ identity: bob, contacts: [alice.card], store: memoryStore(), channels: [medium.channel('a')], policy: FAST, prekeys: memoryPrekeySecretStore(bob) });
    await bobNode.start();
    cleanups.push(() => bobNode.stop());
    // Bob writes first: his message carries his prekeys, which release the held message.
    await deliver(bobNode, first.node, 'hello');
    const [message] = await receive(bobNode, 1, 10_000);
    expect(message).toMatchObject({ text: 'held', envelopeVersion: 2, prekey: 'one-time' });
    expect(await (await first.node.handle(handle.id))!.settled({ signal: AbortSignal.timeout(10_000) })).toBe('delivered');
  });
});
