import { performance } from 'node:perf_hooks';
import { seal, type Identity } from '@herald/core';
import { relayProtocol as protocol } from '@herald/transport-websocket';
import { FrameClient } from './frame-client.js';
import { PacketClient } from './packet-client.js';
import { connectPacket } from './packet-seeds.js';
import type { Prng } from '../prng.js';
import type { FuzzedRelay } from './relay-process.js';

/** Milliseconds since `started`, and whether that is within `limitMs`. */
const over = (started: number, limitMs: number): string | undefined => {
  const elapsed = performance.now() - started;
  return elapsed > limitMs ? `${elapsed.toFixed(0)} ms` : undefined;
};

async function healthz(relay: FuzzedRelay, limitMs: number): Promise<string | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${relay.httpPort}/healthz`, { signal: AbortSignal.timeout(limitMs) });
    return response.status === 200 ? undefined : `/healthz answered ${response.status}`;
  } catch (error) {
    return `/healthz: ${(error as Error).message}`;
  }
}

/** An honest client's whole round: CHALLENGE, AUTH, WELCOME, a deposit to itself ACCEPTED and PUSHed back. */
async function honestRound(relay: FuzzedRelay, identity: Identity, limitMs: number): Promise<string | undefined> {
  const started = performance.now();
  const client = await FrameClient.open(relay.url, limitMs);
  if (typeof client === 'string') return `honest client: ${client}`;
  try {
    client.send(client.authFrame(identity));
    const welcome = await client.waitFor((frame) => frame.type === 'welcome', limitMs);
    if (welcome.type !== 'welcome') return `honest AUTH: ${welcome.type === 'closed' ? `closed ${welcome.code} ${welcome.reason}` : welcome.type}`;
    const envelope = seal('probe', { from: identity, to: identity.card, ttl: 600 });
    client.send(protocol.encodeDeposit(1, envelope));
    const accepted = await client.waitFor((frame) => (frame.type === 'accepted' && frame.requestIds.includes(1)) || frame.type === 'error', limitMs);
    if (accepted.type !== 'accepted') return `honest DEPOSIT: ${accepted.type === 'error' ? `ERROR ${protocol.errorName(accepted.code)}` : accepted.type}`;
    const pushed = await client.waitFor((frame) => frame.type === 'push' && Buffer.compare(frame.envelope, envelope) === 0, limitMs);
    if (pushed.type !== 'push') return `honest deposit to itself was not pushed back (${pushed.type})`;
    const late = over(started, limitMs);
    return late === undefined ? undefined : `honest round took ${late}`;
  } finally {
    client.terminate();
  }
}

async function honestMqtt(relay: FuzzedRelay, random: Prng, limitMs: number): Promise<string | undefined> {
  const started = performance.now();
  const client = await PacketClient.open(relay.mqttPort, limitMs);
  if (typeof client === 'string') return `honest MQTT client: ${client}`;
  try {
    client.send(connectPacket(random, true, relay.mqttPort));
    const connack = await client.waitFor((packet) => packet.cmd === 'connack', limitMs);
    if (connack.cmd !== 'connack' || (connack.returnCode ?? 0) !== 0) return `honest MQTT CONNECT: ${connack.cmd}`;
    const late = over(started, limitMs);
    return late === undefined ? undefined : `honest MQTT CONNECT took ${late}`;
  } finally {
    client.destroy();
  }
}

/** /healthz, an honest relay client and an honest MQTT client, each answered within `limitMs`; the problems found. */
export async function probeRelay(relay: FuzzedRelay, identity: Identity, random: Prng, limitMs: number): Promise<string[]> {
  const results = await Promise.all([healthz(relay, limitMs), honestRound(relay, identity, limitMs), honestMqtt(relay, random, limitMs)]);
  return results.filter((result): result is string => result !== undefined);
}
