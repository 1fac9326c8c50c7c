import { randomFillSync } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity, inspect, seal, type Identity } from '@herald/core';
import { relayProtocol as protocol } from '@herald/protocol';
import { until } from './helpers/nodes.js';
import { rawClient, type RawClient } from './helpers/raw-client.js';
import { removeTempDirs, restartRelay, spawnRelay, type RelayProcess } from './helpers/relay-process.js';
import { smallDiskDataDir } from './helpers/small-disk.js';

/**
 * The relay's data dir on a 4 MiB tmpfs (root and mount needed; skipped otherwise): the disk fills, deposits are
 * refused with STORAGE_FULL while collection drains mailboxes, deposits resume by themselves once there is room,
 * and every envelope accepted before is still delivered, after a restart too.
 */
const CONFIG = { minFreeBytes: 1024 * 1024, storageRetryMs: 200, maxEnvelopeBytes: 128 * 1024, mailboxMaxEnvelopes: 1000, depositsPerSecond: 1000, depositBurst: 1000, writeBehindMs: 0 };
const { ERROR_CODES } = protocol;
const ENVELOPE_BYTES = 48 * 1024;

/** The relay's data dir; its store directory (`<dataDir>/store`, as spawnRelay uses it) is the tmpfs. */
let dataDir: string;
let mountPoint: string | undefined;
let unmount = (): void => undefined;
beforeAll(async () => {
  ({ dataDir, mountPoint, unmount } = await smallDiskDataDir('herald-relay-full-'));
});
afterAll(async () => {
  unmount();
  await removeTempDirs();
});

function envelopeFor(from: Identity, to: Identity): Uint8Array {
  return seal(randomFillSync(new Uint8Array(ENVELOPE_BYTES)), { from, to: to.card, contentType: 'application/octet-stream' });
}

let requestId = 0;
/** Deposits one envelope and waits for its answer: 'accepted' or the error frame's code name. */
async function deposit(client: RawClient, envelope: Uint8Array): Promise<string> {
  const id = ++requestId;
  client.send(protocol.encodeDeposit(id, envelope));
  const frame = await client.next((candidate) => (candidate.type === 'error' && candidate.requestId === id) || (candidate.type === 'accepted' && candidate.requestIds.includes(id)));
  return frame.type === 'accepted' ? 'accepted' : (protocol.errorName((frame as { code: number }).code) ?? 'unknown');
}

/** Deposits alternately for each recipient until one is refused (at most `bound`); returns the accepted envelopes by recipient and the refusal. */
async function fill(client: RawClient, from: Identity, to: readonly Identity[], bound: number): Promise<{ accepted: Map<Identity, Uint8Array[]>; refusal: string | undefined }> {
  const accepted = new Map(to.map((identity) => [identity, [] as Uint8Array[]]));
  for (let index = 0; index < bound; index++) {
    const recipient = to[index % to.length]!;
    const envelope = envelopeFor(from, recipient);
    const answer = await deposit(client, envelope);
    if (answer !== 'accepted') return { accepted, refusal: answer };
    accepted.get(recipient)!.push(envelope);
  }
  return { accepted, refusal: undefined };
}

/** Collects `identity`'s mailbox, acknowledging every push, until `count` envelopes came; returns their message ids. */
async function collect(relay: RelayProcess, identity: Identity, count: number): Promise<string[]> {
  const client = await rawClient(relay.url);
  await client.authenticate(identity);
  const ids: string[] = [];
  let seen = 0;
  await until(`${count} pushes`, () => {
    for (const frame of client.frames.slice(seen)) {
      if (frame.type !== 'push') continue;
      ids.push(inspect(frame.envelope).id);
      client.send(protocol.encodeAck([frame.deliveryId]));
    }
    seen = client.frames.length;
    return ids.length >= count;
  });
  client.socket.close();
  return ids;
}

const idsOf = (envelopes: readonly Uint8Array[]): string[] => envelopes.map((envelope) => inspect(envelope).id).sort();
const health = async (relay: RelayProcess): Promise<{ status: number; body: { status: string; reason?: string } }> => {
  const { status, text } = await relay.get('/healthz');
  return { status, body: JSON.parse(text) as { status: string; reason?: string } };
};

describe('a relay whose disk fills (4 MiB tmpfs; needs root and mount)', () => {
  it('refuses deposits with STORAGE_FULL, keeps collecting, resumes by itself when room comes back, and loses nothing', async (context) => {
    if (!mountPoint) return context.skip('cannot mount a tmpfs here (needs root)');
    const relay = await spawnRelay({ dataDir, config: CONFIG });
    // Room held back so that freeing it later is "the operator freed disk space".
    const filler = join(mountPoint, 'filler');
    await writeFile(filler, new Uint8Array(512 * 1024));
    const [alice, bob, carol] = [generateIdentity(), generateIdentity(), generateIdentity()];
    let restarted: RelayProcess | undefined;
    try {
      const sender = await rawClient(relay.url);
      await sender.authenticate(alice, false);

      // 1. The disk fills: the failed commit is answered STORAGE_FULL, and so is the next deposit, before any write.
      const first = await fill(sender, alice, [bob, carol], 200);
      expect(first.refusal).toBe('STORAGE_FULL');
      expect(first.accepted.get(bob)!.length).toBeGreaterThan(5);
      expect(await deposit(sender, envelopeFor(alice, bob))).toBe('STORAGE_FULL');
      expect(relay.child.exitCode).toBeNull();
      const degraded = await health(relay);
      expect(degraded.status).toBe(200);
      expect(degraded.body).toMatchObject({ status: 'degraded', reason: expect.stringMatching(/file system is full/) });
      expect(await relay.metric('herald_relay_storage_full')).toBe(1);
      expect(await relay.metric('herald_relay_rejections_total{code="STORAGE_FULL"}')).toBeGreaterThanOrEqual(2);

      // 2. The operator frees disk space: after storageRetryMs the next deposit is stored, and the relay is healthy again.
      await rm(filler);
      const afterFreeing = envelopeFor(alice, carol);
      await until('a deposit accepted after the disk was freed', async () => (await deposit(sender, afterFreeing)) === 'accepted', 5000);
      expect((await health(relay)).body).toEqual({ status: 'ok' });
      expect(await relay.metric('herald_relay_storage_full')).toBe(0);

      // 3. Full again; now collection frees the room: bob's mailbox drains on a full disk (removals commit).
      const second = await fill(sender, alice, [bob, carol], 200);
      expect(second.refusal).toBe('STORAGE_FULL');
      const bobAccepted = [...first.accepted.get(bob)!, ...second.accepted.get(bob)!];
      expect((await collect(relay, bob, bobAccepted.length)).sort()).toEqual(idsOf(bobAccepted));
      const carolAccepted = [...first.accepted.get(carol)!, afterFreeing, ...second.accepted.get(carol)!];
      await until('bob’s mailbox emptied', async () => (await relay.metric('herald_relay_mailbox_envelopes')) === carolAccepted.length);
      const resumed = envelopeFor(alice, carol);
      await until('deposits resumed after the drain', async () => (await deposit(sender, resumed)) === 'accepted', 5000);
      expect(relay.logs()).toMatch(/deposits resumed/);
      // Stopped short of the full disk (minFreeBytes): lmdb-js never met ENOSPC, whose error path corrupts its heap.
      expect(relay.logs()).not.toMatch(/Write error/);
      sender.socket.close();

      // 4. Nothing accepted was lost: after a restart carol collects every envelope accepted for her, before and after the fills.
      await relay.kill('SIGTERM');
      expect(await relay.exited).toEqual({ code: 0, signal: null });
      restarted = await restartRelay(relay, { config: CONFIG });
      const carolIds = await collect(restarted, carol, carolAccepted.length + 1);
      expect(carolIds.sort()).toEqual(idsOf([...carolAccepted, resumed]));
    } finally {
      await relay.kill('SIGKILL');
      await restarted?.kill('SIGKILL');
    }
  }, 60_000);
});
