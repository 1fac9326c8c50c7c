import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePrekeyBundle, encodePrekeyBundle, generateIdentity, generatePrekeys, toHex, verifyPrekeyBundle, type Identity, type PrekeyBundle } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import { startNatsCluster, type NatsCluster } from '@herald/relay/testing';
import { rawClient, type RawClient } from './helpers/raw-client.js';
import { removeTempDirs, spawnRelay, type RelayProcess } from './helpers/relay-process.js';

/**
 * The prekey directory of two relay processes on one real three-node JetStream cluster (three replicas): an
 * upload through either relay is served by both, and fetches racing through both relays hand each one-time
 * prekey out once at most, and every one of them out.
 */
let cluster: NatsCluster;
const relays: RelayProcess[] = [];
const clients: RawClient[] = [];

beforeAll(async () => {
  cluster = await startNatsCluster();
  for (let index = 0; index < 2; index++) {
    relays.push(await spawnRelay({ args: ['--store', cluster.url, '--store-replicas', '3'], config: { heartbeatIntervalMs: 1000, store: { servers: cluster.url, name: 'DIRECTORY', requestTimeoutMs: 20_000 } } }));
  }
}, 90_000);

afterAll(async () => {
  for (const client of clients) client.socket.close();
  await Promise.all(relays.map((relay) => relay.kill('SIGKILL')));
  await cluster?.close();
  await removeTempDirs();
});

/** `owns`: the connection proves it owns its identity's mailbox (what an upload needs). */
async function client(relay: RelayProcess, as: Identity, owns = false): Promise<RawClient> {
  const opened = await rawClient(relay.url);
  clients.push(opened);
  await opened.authenticate(as, owns);
  return opened;
}

let nextRequest = 1;

async function upload(through: RawClient, owner: Identity, bundle: PrekeyBundle): Promise<string> {
  const requestId = nextRequest++;
  through.send(protocol.encodePrekeysPut(requestId, owner.card.routingTag, encodePrekeyBundle(bundle)));
  const answer = await through.next((frame) => (frame.type === 'prekeys-held' || frame.type === 'error') && frame.requestId === requestId, 20_000);
  return answer.type === 'prekeys-held' ? `HELD ${answer.oneTime}` : answer.type === 'error' ? (protocol.errorName(answer.code) ?? `code ${answer.code}`) : answer.type;
}

async function fetchBundle(through: RawClient, of: Identity): Promise<PrekeyBundle | undefined> {
  const requestId = nextRequest++;
  through.send(protocol.encodePrekeysGet(requestId, of.card.routingTag));
  const answer = await through.next((frame) => (frame.type === 'prekeys' || frame.type === 'error') && frame.requestId === requestId, 20_000);
  if (answer.type !== 'prekeys') throw new Error(`PREKEYS_GET answered ${answer.type === 'error' ? protocol.errorName(answer.code) : answer.type}`);
  return answer.bundle.length === 0 ? undefined : decodePrekeyBundle(answer.bundle);
}

const oneTimeIds = (bundle: PrekeyBundle | undefined): string[] => (bundle?.prekeys ?? []).filter((prekey) => prekey.oneTime).map((prekey) => toHex(prekey.id));

describe('the prekey directory of a relay cluster', () => {
  it('hands each one-time prekey out at most once, and all of them, to fetches racing through two relays, round after round', async () => {
    const bob = generateIdentity({ label: 'Bob' });
    const [relayA, relayB] = relays as [RelayProcess, RelayProcess];
    const owners = [await client(relayA, bob, true), await client(relayB, bob, true)];
    // Two senders on each relay, each with its own connection.
    const fetchers = await Promise.all([relayA, relayB, relayA, relayB].map((relay) => client(relay, generateIdentity())));
    const rounds = 6;
    const perRound = 24;
    const everGiven = new Set<string>();
    for (let round = 0; round < rounds; round++) {
      const mediumTerm = generatePrekeys(bob, { kind: 'x25519', count: 1, oneTime: false }).map((owned) => owned.prekey);
      const oneTime = generatePrekeys(bob, { kind: 'x25519', count: perRound, oneTime: true }).map((owned) => owned.prekey);
      // Uploaded through A and B in turn: each relay serves what the other took in.
      expect(await upload(owners[round % 2]!, bob, { owner: bob.card.signingPublicKey, prekeys: [...mediumTerm, ...oneTime] })).toBe(`HELD ${perRound}`);
      // More fetches than one-time prekeys, all sent at once, spread over both relays.
      const fetches = perRound + 8;
      const bundles = await Promise.all(Array.from({ length: fetches }, (_, index) => fetchBundle(fetchers[index % fetchers.length]!, bob)));
      for (const bundle of bundles) {
        expect(bundle).toBeDefined();
        expect(verifyPrekeyBundle(bundle!, bob.card).length).toBe(bundle!.prekeys.length);
        expect(oneTimeIds(bundle).length).toBeLessThanOrEqual(1);
        // Every fetch has the medium-term prekey, with or without a one-time one.
        expect(bundle!.prekeys.filter((prekey) => !prekey.oneTime).map((prekey) => toHex(prekey.id))).toEqual(mediumTerm.map((prekey) => toHex(prekey.id)));
      }
      const given = bundles.flatMap(oneTimeIds);
      expect(new Set(given).size).toBe(given.length);
      expect(given.sort()).toEqual(oneTime.map((prekey) => toHex(prekey.id)).sort());
      for (const id of given) everGiven.add(id);
    }
    expect(everGiven.size).toBe(rounds * perRound);
  }, 180_000);
});
