import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open as openLmdb } from 'lmdb';
import type { IPublishPacket } from 'mqtt';
import { toHex, type Identity } from '@herald/core';
import { bareSodiumOpen } from '../bare-open.js';
import { bareSodiumSeal } from '../sodium-work.js';
import { keyOf, type OpenPath } from '../relay/paths.js';
import { clientPair, publishQos1 } from './clients.js';

/** Passed to MQTT.js's `done`: no PUBACK now, written below once the put is durable (as Herald's transport does, see its puback.ts). */
const DEFERRED = new Error('bench: PUBACK deferred until the put is durable');
const ACK_HEADER = Buffer.alloc(54);
const INNER_FIXED_BYTES = 1 + 1 + 32 + 4 + 64;

/**
 * The baseline for Herald's node over MQTT: bare MQTT.js QoS 1
 * publish→subscribe of the same envelopes through the same broker, and per
 * envelope the work the node cannot skip, done with bare library calls: the
 * open and verify with bare libsodium (bare-open.ts), a durable LMDB put of
 * the body under its id (the settings @herald/store-lmdb uses: synchronous
 * commits, fdatasync before the promise resolves, lmdb-js group commit), the
 * PUBACK only after that, and the end-to-end ack: the ids received in one
 * event turn sealed with bare libsodium as one envelope (as the node batches
 * them) and published QoS 1 back to the publisher, which subscribes to its ack
 * topic. It counts as arrived once the put is durable.
 */
export async function bareWorkPath(url: string, topic: string, ackTopic: string, alice: Identity, bob: Identity, envelopes: readonly Uint8Array[]): Promise<OpenPath> {
  const index = new Map(envelopes.map((envelope, position) => [keyOf(envelope), position]));
  const payloads = envelopes.map((envelope) => Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength));
  let arrival: (index: number) => void = () => undefined;
  const dir = await mkdtemp(join(tmpdir(), 'herald-bench-mqtt-work-'));
  const env = openLmdb({ path: dir, noSubdir: false, overlappingSync: false, noSync: false, noMetaSync: false, useWritemap: false, cache: false, mapSize: 1024 ** 3 });
  const inbox = env.openDB<Uint8Array, string>('inbox', { encoding: 'binary' });
  // The publisher collects the acks (MQTT.js PUBACKs them), as Alice's transport does in the node path.
  const { publisher, subscriber, close } = await clientPair(url, 'work', topic, ackTopic);

  let pendingIds: Uint8Array[] = [];
  const flushAcks = (): void => {
    // An inner part's worth (meta, type code, sender key, created, signature, the ids), sealed and sent behind a header's worth of bytes.
    const inner = Buffer.alloc(INNER_FIXED_BYTES + 16 * pendingIds.length);
    pendingIds.forEach((id, position) => inner.set(id, INNER_FIXED_BYTES + 16 * position));
    pendingIds = [];
    const ack = Buffer.concat([ACK_HEADER, bareSodiumSeal(inner, bob, alice)]);
    subscriber.publish(ackTopic, ack, { qos: 1 }, () => undefined);
  };
  const receive = async (packet: IPublishPacket): Promise<void> => {
    const bytes = new Uint8Array(packet.payload as Buffer);
    const { id, body } = bareSodiumOpen(bytes, bob, alice.card.signingPublicKey);
    await inbox.put(toHex(id), body);
    const stream = subscriber.stream as unknown as NodeJS.WritableStream;
    const messageId = packet.messageId ?? 0;
    stream.write(Uint8Array.of(0x40, 0x02, messageId >> 8, messageId & 0xff)); // PUBACK, reason code 0 omitted (MQTT 5 §3.4.2.1)
    if (pendingIds.length === 0) setImmediate(flushAcks);
    pendingIds.push(id);
    arrival(index.get(keyOf(bytes)) ?? -1);
  };
  subscriber.handleMessage = (packet, done) => {
    void receive(packet).catch((error: unknown) => subscriber.emit('error', error as Error));
    done(DEFERRED);
  };
  return {
    path: { send: (position) => publishQos1(publisher, topic, payloads[position]!), onArrival: (callback) => void (arrival = callback) },
    async close() {
      await close();
      await env.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
