import { afterEach, describe, expect, it } from 'vitest';
import { createNode, encodePrekeyBundle, generateIdentity, generatePrekeys, memoryPrekeySecretStore, memoryStore, TransportError, toHex, type HeraldNode, type Identity, type PrekeyBundle, type PrekeyDirectory, type Transport } from '@herald/core';
import { FAST, waitUntil } from './fixtures.js';
import { memoryMedium } from './memory-transport.js';

const running: HeraldNode[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((node) => node.stop()));
});

/** A channel whose directory answers every fetch with `bundle` (or nothing), recording what was asked; uploads are refused. */
function withDirectory(transport: Transport, bundle: () => PrekeyBundle | undefined, asked: string[], uploads: Uint8Array[] = []): Transport {
  const prekeys: PrekeyDirectory = {
    upload: async (bytes) => {
      uploads.push(bytes);
      throw new TransportError('CHANNEL_REJECTED', 'a', 'this channel does not collect its mailbox');
    },
    fetch: async (routingTag) => {
      asked.push(routingTag);
      const answer = bundle();
      return answer ? encodePrekeyBundle(answer) : undefined;
    },
  };
  return Object.assign(Object.create(transport) as Transport, { prekeys });
}

async function aliceFetching(bob: Identity, bundle: () => PrekeyBundle | undefined, uploads: Uint8Array[] = []) {
  const alice = generateIdentity({ label: 'Alice' });
  const store = memoryStore();
  const asked: string[] = [];
  const errors: Error[] = [];
  // Alice keeps prekeys of her own, so her node tries to upload them at start.
  const node = createNode({ identity: alice, contacts: [bob.card], store, prekeys: memoryPrekeySecretStore(alice), channels: [withDirectory(memoryMedium().channel('a'), bundle, asked, uploads)], policy: { ...FAST, forwardSecrecy: 'required' } });
  running.push(node);
  node.subscribe((event) => void (event.type === 'error' && errors.push(event.error)));
  await node.start();
  return { node, store, asked, errors };
}

describe('prekeys from a channel’s directory', () => {
  const bob = generateIdentity({ label: 'Bob' });
  const genuine = (): PrekeyBundle => ({ owner: bob.card.signingPublicKey, prekeys: [...generatePrekeys(bob, { kind: 'x25519' }), ...generatePrekeys(bob, { kind: 'x25519', oneTime: true })].map((owned) => owned.prekey) });

  it('seals to a fetched bundle that verifies against the recipient’s card (v2, one-time), through a channel that refused her upload', async () => {
    const uploads: Uint8Array[] = [];
    const { node, asked } = await aliceFetching(bob, genuine, uploads);
    await waitUntil(() => uploads.length > 0);
    const handle = await node.send(bob.card, 'hello');
    expect(asked).toEqual([toHex(bob.card.routingTag)]);
    expect((await node.outbox()).find((record) => record.id === handle.id)).toMatchObject({ envelopeVersion: 2, prekey: 'one-time' });
  });

  it('keeps nothing of a forged bundle: the message waits for prekeys, never sealed v1, and the forgery is reported', async () => {
    const mallory = generateIdentity({ label: 'Mallory' });
    // Mallory's own prekeys presented as Bob's: the relay (or anyone between) can withhold prekeys, not forge them.
    const forged = (): PrekeyBundle => ({ owner: bob.card.signingPublicKey, prekeys: generatePrekeys(mallory, { kind: 'x25519', oneTime: true }).map((owned) => owned.prekey) });
    const { node, store, errors } = await aliceFetching(bob, forged);
    const handle = await node.send(bob.card, 'hello');
    expect((await node.outbox()).find((record) => record.id === handle.id)?.status).toBe('awaiting-prekeys');
    expect(await store.getContactPrekeys(bob.card.fingerprint)).toBeUndefined();
    await waitUntil(() => errors.some((error) => (error as { code?: string }).code === 'BAD_PREKEY'));
  });

  it('asks again at the next send when the directory was not reached (its channel down): no miss is remembered', async () => {
    let down = true;
    const { node, asked } = await aliceFetching(bob, () => {
      if (down) throw new TransportError('CHANNEL_UNAVAILABLE', 'a', 'not connected to the relay');
      return genuine();
    });
    const first = await node.send(bob.card, 'while the relay is down');
    expect((await node.outbox()).find((record) => record.id === first.id)?.status).toBe('awaiting-prekeys');
    down = false;
    const second = await node.send(bob.card, 'once it is back');
    expect(asked).toHaveLength(2);
    expect((await node.outbox()).find((record) => record.id === second.id)).toMatchObject({ envelopeVersion: 2 });
  });

  it('does not ask again for a contact no directory had prekeys for, for a while', async () => {
    const { node, asked } = await aliceFetching(bob, () => undefined);
    await node.send(bob.card, 'one');
    await node.send(bob.card, 'two');
    expect(asked).toHaveLength(1);
  });
});
