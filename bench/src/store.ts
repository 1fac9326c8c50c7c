/**
 * pnpm bench:store — the durable outbox of @herald/store-lmdb, each figure
 * beside a baseline measured in the same run, with the ratio:
 *
 *   a. durable enqueues per second (putOutbox of 1 KiB messages sealed before
 *      the clock starts, 64 in flight) beside raw LMDB puts of the same bytes
 *      with the same durability (overlappingSync off, so each put resolves after
 *      its commit's fdatasync), also 64 in flight. Goal: ratio ≥ 0.5.
 *   b. enqueues per second with an fsync per message (one at a time, awaited)
 *      against group commit (64 in flight), both through the store.
 *   c. the whole send path: node.send() (seal, durable enqueue, then the
 *      dispatcher hands the envelope to a channel and logs the attempt
 *      durably), 64 in flight, beside bare libsodium doing the same sealing work
 *      for the same messages (X25519 twice, BLAKE2b, Ed25519 sign, XChaCha20-Poly1305).
 *
 * Records get counter ids (the 512 pre-sealed envelopes are reused), so every
 * put is an insert, as a new message is.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { createNode, envelopeExpiry, generateIdentity, seal, toHex, type OutboxRecord, type Transport } from '@herald/core';
import { lmdbStore } from '@herald/store-lmdb';
import { compareInFlight } from './in-flight.js';
import { formatRate, quickMode } from './measure.js';
import { backendLine, bareSodiumSeal } from './sodium-work.js';

const quick = quickMode();
const rounds = quick ? 1 : 9;
const milliseconds = quick ? 150 : 500;
const IN_FLIGHT = 64;
const SEALED = 512;

const alice = generateIdentity({ label: 'Alice' });
const bob = generateIdentity({ label: 'Bob' });
const message = new Uint8Array(1024).map((_, index) => (index * 7) & 0xff);
// Sealed before any clock starts: this measures the store, not the crypto.
const envelopes = Array.from({ length: SEALED }, () => seal(message, { from: alice, to: bob.card }));
const routingTags = [toHex(bob.card.routingTag)];
const recipients = [bob.card.fingerprint];
const expiresAt = envelopeExpiry(envelopes[0]!);

/** Ids are never reused across the whole run, so every put is an insert. */
let serial = 0;
const nextId = (): string => (serial++).toString(16).padStart(32, '0');

/** Built as node.send builds it: one object literal per message (a spread copy encodes measurably slower in msgpackr). */
function record(): OutboxRecord {
  const envelope = envelopes[serial % SEALED]!;
  const now = Date.now();
  return {
    id: nextId(),
    envelope,
    routingTags,
    recipients,
    acked: [],
    precedence: 'ROUTINE',
    createdAt: now,
    expiresAt,
    status: 'queued',
    acceptedBy: [],
    attempts: [],
    updatedAt: now,
  };
}

/** A channel that accepts every envelope at once and keeps nothing: isolates Herald's own send path from any network. */
function sinkChannel(): Transport {
  return {
    name: 'sink:',
    capabilities: { maxEnvelopeBytes: 1 << 24, requiresPeerOnline: false, storeAndForward: true, delivery: 'push' },
    start: async () => {},
    stop: async () => {},
    send: async () => ({ channel: 'sink:', acceptedAt: Date.now() }),
    health: () => ({ state: 'up', since: 0 }),
    subscribe: () => () => {},
  };
}

const root = await mkdtemp(join(tmpdir(), 'herald-bench-store-'));
try {
  const store = await lmdbStore({ path: join(root, 'store'), maxOutbox: 100_000_000 });
  // The baseline: the same library, the same commit durability, no Herald record, no bound check, no transaction callback.
  const raw = open({ path: join(root, 'raw'), noSubdir: false, overlappingSync: false, mapSize: 1024 ** 3 });
  const rawBytes = raw.openDB<Uint8Array, string>('outbox', { encoding: 'binary' });

  console.log('Herald store benchmark: @herald/store-lmdb, every write fsynced before it resolves');
  console.log(`mode: ${quick ? 'quick (smoke run, figures are rough)' : `${rounds} interleaved rounds of ${milliseconds} ms, medians`}`);
  console.log(backendLine);
  console.log(`envelope: 1 KiB message sealed to one recipient, ${envelopes[0]!.length} bytes; store under ${root}`);

  const enqueue = await compareInFlight(
    () => store.putOutbox(record()),
    () => rawBytes.put(nextId(), envelopes[serial % SEALED]!),
    { subjectInFlight: IN_FLIGHT, baselineInFlight: IN_FLIGHT, rounds, milliseconds },
  );
  console.log('');
  console.log('a. durable outbox enqueue      herald ops/s   raw LMDB ops/s   ratio');
  console.log(`   ${IN_FLIGHT} in flight                  ${formatRate(enqueue.subject)}        ${formatRate(enqueue.baseline)}     ${enqueue.ratio.toFixed(2)}   (goal ≥ 0.50)`);

  const grouping = await compareInFlight(
    () => store.putOutbox(record()),
    () => store.putOutbox(record()),
    { subjectInFlight: IN_FLIGHT, baselineInFlight: 1, rounds, milliseconds },
  );
  console.log('');
  console.log('b. through the store           ops/s');
  console.log(`   fsync per message (1 in flight, awaited)   ${formatRate(grouping.baseline)}`);
  console.log(`   group commit (${IN_FLIGHT} in flight)          ${formatRate(grouping.subject)}`);
  console.log(`   group commit / fsync per message: ${grouping.ratio.toFixed(2)}`);

  const sendStore = await lmdbStore({ path: join(root, 'send'), maxOutbox: 100_000_000 });
  const node = createNode({ identity: alice, contacts: [bob.card], store: sendStore, channels: [sinkChannel()] });
  await node.start();
  const sendPath = await compareInFlight(
    () => node.send(bob.card, message),
    async () => bareSodiumSeal(message, alice, bob),
    { subjectInFlight: IN_FLIGHT, baselineInFlight: 1, rounds, milliseconds },
  );
  console.log('');
  console.log('c. whole send path             herald ops/s   libsodium ops/s  ratio');
  console.log(`   node.send, ${IN_FLIGHT} in flight        ${formatRate(sendPath.subject)}        ${formatRate(sendPath.baseline)}     ${sendPath.ratio.toFixed(2)}`);
  console.log('   (seal + fsynced enqueue + dispatch to a channel that accepts at once + fsynced attempt log, beside the sealing primitives alone)');
  await node.stop();
  await sendStore.close();

  await store.close();
  await raw.close();
} finally {
  await rm(root, { recursive: true, force: true });
}
