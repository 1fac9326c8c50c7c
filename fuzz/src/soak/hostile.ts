import { generateIdentity, seal } from '@herald/core';
import { relayProtocol as protocol } from '@herald/transport-websocket';
import { prng, type Prng } from '../prng.js';
import { RecentInputs } from '../recent.js';
import { FrameClient } from '../relay/frame-client.js';
import { frameMaterial } from '../relay/frame-seeds.js';
import { fuzzMqttConnection } from '../relay/mqtt-fuzz.js';
import { PacketClient } from '../relay/packet-client.js';
import { connectPacket } from '../relay/packet-seeds.js';
import type { FuzzedRelay } from '../relay/relay-process.js';
import { fuzzConnection } from '../relay/ws-fuzz.js';
import { Tally } from '../tally.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Connections held open without ever authenticating (the relay closes them at authTimeoutMs; they come back). */
const IDLE_CONNECTIONS = 100;
/** Connections opened and dropped at once, every few seconds. */
const STORM_SIZE = 100;

/** Runs `body` again and again until the deadline, pausing `pauseMs` between runs so the shared machine keeps some room. */
async function repeat(deadline: number, pauseMs: number, body: () => Promise<void>): Promise<void> {
  while (Date.now() < deadline) {
    await body();
    await sleep(pauseMs);
  }
}

/** An authenticated client depositing as fast as the socket takes it: valid envelopes to a stranger and garbage. */
async function flood(relay: FuzzedRelay, deadline: number, tally: Tally): Promise<void> {
  const flooder = generateIdentity({ label: 'flooder' });
  const stranger = generateIdentity();
  const envelopes = Array.from({ length: 200 }, (_, index) => seal(`flood ${index}`, { from: flooder, to: stranger.card, ttl: 3600 }));
  await repeat(deadline, 100, async () => {
    const client = await FrameClient.open(relay.url, 5000);
    if (typeof client === 'string') return void tally.count(`flood: ${client}`);
    client.send(client.authFrame(flooder));
    for (let round = 0; round < 20 && !client.closed && Date.now() < deadline; round++) {
      for (let index = 0; index < 200; index++) client.send(protocol.encodeDeposit(index, index % 10 === 0 ? new Uint8Array(300) : envelopes[index]!));
      await sleep(50);
      for (const frame of client.drain()) tally.count(`flood: ${frame.type === 'error' ? `ERROR ${protocol.errorName(frame.code)}` : frame.type.toUpperCase()}`);
    }
    client.terminate();
  });
}

/** Connections that never authenticate, kept at IDLE_CONNECTIONS. */
async function idlers(relay: FuzzedRelay, deadline: number, tally: Tally): Promise<void> {
  await Promise.all(
    Array.from({ length: IDLE_CONNECTIONS }, () =>
      repeat(deadline, 200, async () => {
        const client = await FrameClient.open(relay.url, 5000);
        if (typeof client === 'string') return void tally.count(`idle: ${client}`);
        const end = await client.waitFor(() => false, Math.max(1, deadline - Date.now()));
        tally.count(end.type === 'closed' ? `idle: closed ${end.code} ${protocol.closeName(end.code) ?? ''}` : 'idle: still open at the end');
        client.terminate();
      }),
    ),
  );
}

/** Reconnect storms: STORM_SIZE connections opened together and dropped as soon as they have their CHALLENGE; and MQTT CONNECTs the same way. */
async function storms(relay: FuzzedRelay, deadline: number, tally: Tally, random: Prng): Promise<void> {
  await repeat(deadline, 5000, async () => {
    const clients = await Promise.all(Array.from({ length: STORM_SIZE }, () => FrameClient.open(relay.url, 5000)));
    for (const client of clients) {
      if (typeof client === 'string') tally.count(`storm: ${client}`);
      else {
        tally.count('storm: CHALLENGE');
        client.terminate();
      }
    }
    const mqttClients = await Promise.all(Array.from({ length: STORM_SIZE / 2 }, () => PacketClient.open(relay.mqttPort, 5000)));
    for (const client of mqttClients) {
      if (typeof client === 'string') tally.count(`storm: MQTT ${client}`);
      else {
        client.send(connectPacket(random, true, relay.mqttPort));
        client.destroy();
      }
    }
  });
}

/** Frames far over the relay's limit: ws closes with 1009 (or the socket is cut while still sending). */
async function oversize(relay: FuzzedRelay, deadline: number, tally: Tally): Promise<void> {
  const frame = new Uint8Array(4 * 1024 * 1024).fill(protocol.FRAME.DEPOSIT);
  await repeat(deadline, 2000, async () => {
    const client = await FrameClient.open(relay.url, 5000);
    if (typeof client === 'string') return void tally.count(`oversize: ${client}`);
    client.send(frame);
    const end = await client.waitFor(() => false, 5000);
    tally.count(`oversize: ${end.type === 'closed' ? `closed ${end.code}` : end.type}`);
    client.terminate();
  });
}

/**
 * Hostile clients alongside the honest traffic until `deadline`: mutated
 * frames and MQTT packets (the fuzzer's), a deposit flood, idle connections
 * that never authenticate, oversize frames, reconnect storms. Returns what
 * happened to them, counted.
 */
export const HOSTILE_KINDS = ['frames', 'packets', 'flood', 'idle', 'storms', 'oversize'] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

export async function hostileClients(relay: FuzzedRelay, deadline: number, seed: number, kinds: ReadonlySet<HostileKind> = new Set(HOSTILE_KINDS)): Promise<Tally> {
  const tally = new Tally('hostile clients');
  const material = frameMaterial();
  const recent = new RecentInputs();
  const random = prng(seed);
  const runs: Record<HostileKind, () => Promise<unknown>> = {
    frames: () => Promise.all([0, 1].map((worker) => repeat(deadline, 20, async () => void (await fuzzConnection(relay.url, worker === 0 ? 'before AUTH' : 'after AUTH', 8, material, random, tally, recent))))),
    packets: () => repeat(deadline, 20, async () => void (await fuzzMqttConnection(relay.mqttPort, random.chance(0.5) ? 'MQTT before CONNACK' : 'MQTT after CONNACK', 8, material.envelopes[0]!, random, tally, recent))),
    flood: () => flood(relay, deadline, tally),
    idle: () => idlers(relay, deadline, tally),
    storms: () => storms(relay, deadline, tally, random),
    oversize: () => oversize(relay, deadline, tally),
  };
  await Promise.all(HOSTILE_KINDS.filter((kind) => kinds.has(kind)).map((kind) => runs[kind]()));
  return tally;
}
